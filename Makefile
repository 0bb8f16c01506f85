# Commonweal: `make run` sets everything up and serves the demo site; `make test` runs every test.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
# python3-venv only where the interpreter cannot make a virtualenv by itself.
NEED_VENV_PKG := $(shell $(PYTHON) -c "import ensurepip" >/dev/null 2>&1 || echo python3-venv)
APT_PACKAGES := $(NEED_VENV_PKG) libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
	gettext poppler-utils chromium
HOST ?= 127.0.0.1
PORT ?= 8000
# Where mail, PDFs and QR codes made outside a request (the worker) point: the running server,
# unless given (e.g. `make run PORT=8103`, or `make run SITE_URL=https://grants.example.org`).
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install system-packages messages bench bench-http loadtest worker clean

run: install
	$(PY) manage.py migrate --noinput
	SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput -v0
	@echo "Serving http://$(HOST):$(PORT)/  (back office: http://$(HOST):$(PORT)/admin/)"
	@# The periodic jobs (award at the end of 公示, reminders) run beside the server: a worker with
	@# its own beat on an in-process broker (the web process still runs its tasks eagerly). Both
	@# share this shell's process group and stop together on Ctrl-C.
	@mkdir -p var; trap 'kill 0' EXIT; \
	export SITE_URL=$(SITE_URL); \
	CELERY_BROKER_URL=memory:// $(VENV)/bin/celery -A config worker -B --pool=solo -l warning -s var/celerybeat-schedule & \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(VENV)/bin/pytest -m benchmark -s tests $(PYTEST_ARGS)

# The deployed speed: gunicorn + PostgreSQL + Redis in production settings beside the bare-Django
# floor (../shared/tools/floor-django or FLOOR_DIR); each makes and drops a database of its own.
# Prints figures, asserts nothing about time (BENCH_SECONDS=n a page, default 10).
# wrk drives the pages and the floor (Debian's package, installed like the others).
bench-http loadtest: APT_PACKAGES += wrk

bench-http: install
	$(PY) -m bench.bench_http

# The deadline rush: 16 locust users submit complete drafts with a Celery worker rendering the PDFs
# (LOADTEST_APPLICANTS=n, default 600).
loadtest: install
	$(PY) -m bench.loadtest

worker: install
	$(VENV)/bin/celery -A config worker -B -l info

install: system-packages $(VENV)/.installed messages

# Debian packages: installed with apt when run as root, otherwise the exact command is printed.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "Missing Debian packages. Run this once, then run make again:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

# Compiled translations are built from the .po files in the tree.
messages: $(VENV)/.installed
	@cd locale 2>/dev/null && for po in */LC_MESSAGES/*.po; do \
	  [ -e "$$po" ] || continue; mo="$${po%.po}.mo"; \
	  if [ ! -e "$$mo" ] || [ "$$po" -nt "$$mo" ]; then msgfmt --check-format -o "$$mo" "$$po" || exit 1; fi; \
	done

clean:
	rm -rf $(VENV) var db.sqlite3
