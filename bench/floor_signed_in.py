"""A second floor for the deadline rush: what a signed-in, CSRF-checked POST costs in Django itself.

``floor-django``'s one-INSERT view runs without middleware, session or user. A submit cannot: the
applicant is signed in, the form carries a CSRF token. This floor is a bare project with Django's
own ``startproject`` middleware and apps (sessions in Redis, as the product keeps them), one user
signed in, on the same gunicorn settings, and two views, each for signed-in users only and CSRF-checked:

- ``/insert``: one INSERT (the floor-django view, signed in);
- ``/transition``: the least an audited state change can be: in one transaction, lock a row
  (SELECT … FOR UPDATE), read the last log row of it, INSERT the next log row, UPDATE the row.

The product's submit does this and more (the draft's checklist, the reference number, the
notification, the PDF and mail enqueued); the figures say how much of the gap between the submit
and the bare INSERT floor is Django's signed-in request, and how much is the product's own work.
Used by ``make loadtest`` (bench/loadtest.py); asserts nothing.
"""

import os
import secrets
import subprocess
import tempfile
import textwrap
from pathlib import Path

from bench.rig import FLOOR_PORT, HOST, PG, REDIS_URL, VENV_BIN, WORKERS, stop, wrk

SETTINGS = '''
import os
from urllib.parse import urlparse
SECRET_KEY = "floor-signed-in"; DEBUG = False; ALLOWED_HOSTS = ["*"]; ROOT_URLCONF = "floor2.urls"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages", "floor2"]
MIDDLEWARE = [  # django-admin startproject's list
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
u = urlparse(os.environ["DATABASE_URL"])
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": u.path.lstrip("/"),
             "USER": u.username or "", "PASSWORD": u.password or "", "HOST": u.hostname or "",
             "PORT": u.port or 5432, "CONN_MAX_AGE": 60}}
CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
'''

MODELS = '''
from django.db import models
class Row(models.Model):
    text = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)
class Thing(models.Model):
    status = models.CharField(max_length=20, default="draft")
    version = models.IntegerField(default=0)
class Log(models.Model):
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE)
    seq = models.IntegerField()
    to_state = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)
    class Meta:
        constraints = [models.UniqueConstraint(fields=["thing", "seq"], name="one_seq")]
'''

URLS = '''
import random
from django.db import transaction
from django.http import HttpResponse, HttpResponseForbidden
from django.urls import path
from django.views.decorators.http import require_POST
from .models import Log, Row, Thing

def signed_in(view):  # login_required, but a request without the session counts as an error in wrk
    def wrapped(request):
        return view(request) if request.user.is_authenticated else HttpResponseForbidden()
    return wrapped

@require_POST
@signed_in
def insert(request):
    Row.objects.create(text=request.POST.get("t", "x")); return HttpResponse(status=201)

@require_POST
@signed_in
def transition(request):
    with transaction.atomic():
        thing = Thing.objects.select_for_update().get(pk=random.randint(1, 1000))
        last = Log.objects.filter(thing=thing).order_by("-seq").values_list("seq", flat=True).first() or 0
        Log.objects.create(thing=thing, seq=last + 1, to_state="submitted")
        thing.status, thing.version = "submitted", thing.version + 1
        thing.save(update_fields=["status", "version"])
    return HttpResponse(status=201)

urlpatterns = [path("insert", insert), path("transition", transition)]
'''

SETUP = '''
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.cache import SessionStore
from django.core.management import call_command
from floor2.models import Thing
call_command("makemigrations", "floor2", verbosity=0)
call_command("migrate", verbosity=0)
Thing.objects.bulk_create(Thing() for _ in range(1000))
user = User.objects.create_user("applicant", password=None)
session = SessionStore()
session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
'''


def measure(rig, seconds):
    """Both views under gunicorn (the rig's worker count) with wrk, on a database of their own
    (dropped afterwards) and the rig's Redis db; returns {"insert": Result, "transition": Result}."""
    database = f"{rig.db}_signed_in"
    rig._admin(f'CREATE DATABASE "{database}"')
    root = Path(tempfile.mkdtemp(prefix="floor-signed-in-", dir=rig.tmp))
    package = root / "floor2"
    package.mkdir()
    for name, text in (("__init__.py", ""), ("settings.py", SETTINGS), ("models.py", MODELS), ("urls.py", URLS),
                       ("wsgi.py", "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n")):
        (package / name).write_text(textwrap.dedent(text))
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "floor2.settings", "PYTHONPATH": str(root),
           "DATABASE_URL": f"{PG}/{database}", "REDIS_URL": REDIS_URL}
    server = None
    try:
        session_key = subprocess.run([str(VENV_BIN / "python"), "-c", SETUP], env=env, cwd=root, capture_output=True,
                                     text=True, check=True).stdout.strip().splitlines()[-1]
        token = secrets.token_hex(16)  # an unmasked 32-character CSRF secret, as the cookie holds it
        script = root / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f'wrk.body = "t=hello&csrfmiddlewaretoken={token}"\n'
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
            f'wrk.headers["Cookie"] = "sessionid={session_key}; csrftoken={token}"\n'
        )
        server = rig.start("floor-signed-in", [str(VENV_BIN / "gunicorn"), "-w", WORKERS, "-b", f"{HOST}:{FLOOR_PORT}",
                                               "--access-logfile", "/dev/null", "floor2.wsgi:application"],
                           port=FLOOR_PORT, env=env, cwd=root)
        return {view: wrk(f"/{view}", seconds, port=FLOOR_PORT, script=script) for view in ("insert", "transition")}
    finally:
        if server is not None:  # before the rush: the rig would stop it only at its end
            stop(server)
        rig._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
