"""Settings come from the environment, in one place; production refuses to start half-configured.

Each case runs ``manage.py`` in a fresh process with exactly the environment given, as a
deployment would.
"""

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
REQUIRED = ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "REDIS_URL"]


def run(args, env, tmp_path):
    clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", **env}
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=180
    )


def production_env(tmp_path):
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "grants.example.org,www.grants.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
    }


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_missing_required_variable_stops_start_up_naming_it(missing, tmp_path):
    env = production_env(tmp_path)
    del env[missing]
    result = run(["manage.py", "check"], env, tmp_path)
    assert result.returncode != 0
    assert f"DJANGO_ENV=production needs the environment variable {missing}" in result.stderr


@pytest.mark.parametrize("empty", REQUIRED)
def test_an_empty_required_variable_counts_as_missing(empty, tmp_path):
    result = run(["manage.py", "check"], {**production_env(tmp_path), empty: ""}, tmp_path)
    assert result.returncode != 0
    assert f"DJANGO_ENV=production needs the environment variable {empty}" in result.stderr


def test_the_deploy_check_catches_a_weak_secret_key(tmp_path):
    env = {**production_env(tmp_path), "SECRET_KEY": "too-short"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': s.CELERY_BROKER_URL, 'mail': s.EMAIL_BACKEND, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, "
    "'langs': [c for c, _ in s.LANGUAGES], 'debug': s.DEBUG, 'secure': s.SESSION_COOKIE_SECURE}))"
)


def show(env, tmp_path):
    result = run(["-c", SHOW], {"DJANGO_SETTINGS_MODULE": "config.settings", **env}, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_development_defaults_need_nothing(tmp_path):
    s = show({}, tmp_path)
    assert s == {
        "db": "django.db.backends.sqlite3", "eager": True, "broker": "",
        "mail": "django.core.mail.backends.console.EmailBackend", "tz": "Asia/Shanghai", "lang": "zh-hans",
        "langs": ["zh-hans", "en"], "debug": True, "secure": False,
    }


def test_a_broker_url_turns_eager_tasks_off_and_production_secures_cookies(tmp_path):
    s = show(production_env(tmp_path), tmp_path)
    assert (s["eager"], s["broker"], s["debug"], s["secure"]) == (False, "redis://127.0.0.1:6379/13", False, True)
    assert s["mail"] == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    "url,expected",
    [
        ("smtp+tls://mailer:secret@smtp.example.org:587", ("django.core.mail.backends.smtp.EmailBackend", None)),
        ("file:///var/spool/commonweal", ("django.core.mail.backends.filebased.EmailBackend", "/var/spool/commonweal")),
    ],
)
def test_email_urls_from_the_readme(url, expected, tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, getattr(s, 'EMAIL_FILE_PATH', None), s.EMAIL_USE_TLS)"
    )
    result = run(["-c", code], {"DJANGO_SETTINGS_MODULE": "config.settings", "EMAIL_URL": url}, tmp_path)
    assert result.returncode == 0, result.stderr
    backend, path, tls = result.stdout.split()
    assert (backend, None if path == "None" else path) == expected
    assert tls == str(url.startswith("smtp+tls"))


def test_an_unknown_mail_scheme_stops_start_up_naming_email_url(tmp_path):
    result = run(["manage.py", "check"], {"EMAIL_URL": "smtp+starttls://smtp.example.org"}, tmp_path)
    assert result.returncode != 0
    assert "EMAIL_URL has a scheme we do not know (smtp+starttls://)" in result.stderr
