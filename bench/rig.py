"""What `make bench-http` and `make loadtest` share: a database and a Redis db of their own, the
product in production settings under gunicorn, the bare-Django floor, and wrk.

Everything started here is stopped, and the database dropped and the Redis db flushed, when the
``Rig`` context ends, whatever happened inside it. Nothing here asserts anything about time.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = BASE_DIR / ".venv" / "bin"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
PORT = int(os.environ.get("BENCH_PORT", "8106"))
FLOOR_PORT = int(os.environ.get("FLOOR_PORT", "8116"))
WORKERS = os.environ.get("BENCH_GUNICORN_WORKERS", "2")  # the measurement: 2 sync workers
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "8")  # wrk -t2 -c8, as the issue and the floor
HOST = "127.0.0.1"


def floor_script():
    """The bare-Django floor: ``../shared/tools/floor-django`` beside the repository, or $FLOOR_DIR."""
    for candidate in (os.environ.get("FLOOR_DIR"), BASE_DIR.parent / "shared" / "tools",
                      BASE_DIR.parent.parent / "shared" / "tools"):
        if not candidate:
            continue
        path = Path(candidate)
        path = path if path.is_file() else path / "floor-django"
        if path.is_file():
            return path
    sys.exit("The floor script floor-django was not found: set FLOOR_DIR to the folder holding it.")


def say(text):
    print(text, flush=True)


class Rig:
    """Context manager: ``with Rig("bench") as rig:`` gives a fresh database and Redis db, and the
    environment for production settings in ``rig.env`` (also set in ``os.environ``)."""

    def __init__(self, label):
        self.label = label
        self.db = f"commonweal_{label}_{os.getpid()}"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"commonweal-{label}-"))
        self.procs = []
        self.env = {
            "DJANGO_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "SECURE_SSL_REDIRECT": "false",  # plain http on the loopback; everything else as deployed
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": f"{PG}/{self.db}",
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_URL": "dummy://",
            "SITE_URL": f"http://{HOST}:{PORT}",
            "STATIC_ROOT": str(BASE_DIR / "var" / "bench-static"),  # kept: collectstatic is slow the first time
            "MEDIA_ROOT": str(self.tmp / "media"),
            "PRIVATE_MEDIA_ROOT": str(self.tmp / "private"),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(BASE_DIR),
        }

    # ----- database and Redis ---------------------------------------------------------------------

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def _flush_redis(self):
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()

    def __enter__(self):
        self._admin(f'CREATE DATABASE "{self.db}"')
        try:
            self._flush_redis()
            os.environ.update(self.env)
            sys.path.insert(0, str(BASE_DIR))
            os.chdir(BASE_DIR)
            import django

            django.setup()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc):
        for proc in reversed(self.procs):
            stop(proc)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - cleaning up whatever state we are in
            pass
        try:
            self._admin(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        finally:
            self._flush_redis()
            shutil.rmtree(self.tmp, ignore_errors=True)
        say(f"(database {self.db} dropped, Redis {REDIS_URL} flushed)")

    # ----- the product ----------------------------------------------------------------------------

    def prepare_schema(self):
        from django.core.management import call_command

        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        say(f"database {self.db} migrated ({time.monotonic() - started:.0f} s)")
        # Collected once and kept (whitenoise compresses every file: minutes); again when our static
        # files or the installed packages (requirements.txt) are newer than the manifest.
        manifest = Path(self.env["STATIC_ROOT"]) / "staticfiles.json"
        sources = [BASE_DIR / "requirements.txt", *(p for p in (BASE_DIR / "static").rglob("*") if p.is_file())]
        if not manifest.exists() or max(p.stat().st_mtime for p in sources) > manifest.stat().st_mtime:
            started = time.monotonic()
            call_command("collectstatic", verbosity=0, interactive=False)
            say(f"static files collected ({time.monotonic() - started:.0f} s)")

    def start(self, name, argv, port=None, own_session=False, env=None, cwd=BASE_DIR):
        """Start ``argv`` (stopped when the rig ends), in the product's environment unless ``env`` is given."""
        log = self.tmp / f"{name}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(argv, cwd=cwd, env=env if env is not None else {**os.environ, **self.env},
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=own_session)
        proc.log = log
        self.procs.append(proc)
        if port:
            wait_for_port(port, proc)
        return proc

    def start_gunicorn(self):
        """The product as deployed: gunicorn, sync workers (the issue's measurement: 2)."""
        return self.start("gunicorn", [str(VENV_BIN / "gunicorn"), "-w", WORKERS, "-b", f"{HOST}:{PORT}",
                                       "--access-logfile", "/dev/null", "config.wsgi:application"], port=PORT)

    def start_worker(self, concurrency):
        """The worker as deployed beside the web server: a service of its own at a low CPU weight.

        Its pool processes run as SCHED_IDLE (WORKER_CPU_PRIORITY), but Linux weighs that only
        against processes of the same session (autogroup) or cgroup: a worker started beside
        gunicorn still takes CPU from PostgreSQL (another session) whenever the web workers wait
        for it. A service manager sets a service's weight (systemd: CPUWeight=); here the worker
        gets a session of its own and that session's autogroup the lowest weight."""
        proc = self.start("celery", [str(VENV_BIN / "celery"), "-A", "config", "worker", "--loglevel=warning",
                                     f"--concurrency={concurrency}", "--without-gossip", "--without-mingle",
                                     "--without-heartbeat", "--hostname", f"{self.label}-{os.getpid()}@%h"],
                          own_session=True)
        autogroup = Path(f"/proc/{proc.pid}/autogroup")
        try:
            autogroup.write_text("19")
            say(f"worker session: {autogroup.read_text().strip()}")
        except OSError as exc:  # a kernel without autogroup scheduling: the processes' own nice only
            say(f"(the worker's session keeps its CPU weight: {exc})")
        return proc

    # ----- the floor ------------------------------------------------------------------------------

    def run_floor(self, seconds):
        """Run ``floor-django`` as it is, on the floor port and a database of its own; a ``wrk`` shim
        ahead of it on PATH gives its two runs our duration and ``--latency`` and keeps their output.
        Returns {"hello": Result, "insert": Result}."""
        floor_db = f"{self.db}_floor"
        self._admin(f'CREATE DATABASE "{floor_db}"')
        shim_dir = self.tmp / "wrk-shim"
        shim_dir.mkdir(exist_ok=True)
        log = self.tmp / f"floor-wrk-{time.monotonic_ns()}.log"
        real_wrk = shutil.which("wrk") or sys.exit("wrk is needed: apt-get install wrk")
        (shim_dir / "wrk").write_text(
            "#!/usr/bin/env bash\n"
            "args=(); for a in \"$@\"; do case $a in -d*) args+=(\"-d${BENCH_SECONDS}s\");; *) args+=(\"$a\");; esac; done\n"
            f"echo \"=== $*\" >> {log}\n"
            f"{real_wrk} --latency --timeout 30s \"${{args[@]}}\" | tee -a {log}\n"
        )
        (shim_dir / "wrk").chmod(0o755)
        env = {**os.environ, "PATH": f"{shim_dir}:{os.environ['PATH']}", "BENCH_SECONDS": str(seconds),
               "DATABASE_URL": f"{PG}/{floor_db}"}
        for key in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH"):
            env.pop(key, None)
        try:
            out = subprocess.run([str(floor_script()), str(VENV_BIN / "python"), str(FLOOR_PORT), "20"],
                                 env=env, capture_output=True, text=True, timeout=seconds * 2 + 180)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{floor_db}" WITH (FORCE)')
        if out.returncode:
            sys.exit(f"floor-django failed ({out.returncode}):\n{out.stderr[-2000:]}")
        runs = log.read_text().split("=== ")[1:]
        hello = next(r for r in runs if "/hello" in r.splitlines()[0])
        insert = next(r for r in runs if "/insert" in r.splitlines()[0])
        say(f"floor-django ({seconds} s each): {out.stdout.strip()}")
        return {"hello": parse_wrk(hello), "insert": parse_wrk(insert)}


# ----- processes, HTTP and wrk ----------------------------------------------------------------------


def stop(proc):
    """Stop a process politely, then for good (the tests' helper, for processes started here)."""
    from tests.applications.test_celery_worker import stop as stop_worker

    stop_worker(proc)


def wait_for_port(port, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{proc.args[0]} exited ({proc.returncode}):\n{proc.log.read_text()[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    sys.exit(f"nothing listens on {port} after {seconds} s:\n{proc.log.read_text()[-3000:]}")


def get(path, cookie=None, port=PORT):
    """One GET without following redirects: (status, body)."""
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"Cookie": cookie} if cookie else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Result:
    def __init__(self, rate, p50, p99, requests, errors):
        self.rate, self.p50, self.p99, self.requests, self.errors = rate, p50, p99, requests, errors


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(output):
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return Result(rate, p50, p99, requests, errors)


def wrk(path, seconds, cookie=None, *, port=PORT, script=None):
    """wrk -t2 -c$BENCH_CONNECTIONS on ``path``; ``script``: a wrk Lua file (a POST with its body and headers)."""
    argv = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s",
            f"http://{HOST}:{port}{path}"]
    if cookie:
        argv[1:1] = ["-H", f"Cookie: {cookie}"]
    if script:
        argv[1:1] = ["-s", str(script)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 120)
    return parse_wrk(out.stdout)


def dump(path, data):
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1))
