"""Two people acting on one application at the same moment, on PostgreSQL with real connections.

Each thread has its own database connection (Django's are per thread); a barrier releases them
together. Exactly one transition may happen; the other person gets a message, not a database error.
"""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from accounts.models import Notification
from applications import services
from applications.models import Application, ReferenceCounter, Status, TransitionLog
from applications.services import ApplicationError
from tests.factories import ApplicationFactory, CompetitionFactory, MembershipFactory, StaffFactory, application_in_state



def race(*calls):
    """Run the callables at the same moment in threads; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    language = translation.get_language()  # the active language is per thread

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            with translation.override(language):
                results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung (lock never released?)"
    return results


def fresh(app):
    """Each person loaded the page before the other acted: their own copy of the row."""
    return Application.objects.get(pk=app.pk)


def verify_log():
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accept_and_reject_at_the_same_moment(require_postgres, mailoutbox):
    app = application_in_state(Status.SUBMITTED)
    other_staff = StaffFactory(bureau=app.competition.bureau)
    rows_before = TransitionLog.objects.filter(application=app).count()
    mails_before = len(mailoutbox)

    results = race(
        lambda: services.application_accept_eligible(application=fresh(app), actor=app.staff),
        lambda: services.application_reject_ineligible(application=fresh(app), actor=other_staff, reason="不在本区域"),
    )

    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if isinstance(r, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    app.refresh_from_db()
    assert app.status == winners[0].status
    assert app.status in (Status.ELIGIBLE, Status.INELIGIBLE)
    assert f"cannot be done while the application is “{app.get_status_display()}”" in losers[0].message
    assert "reload it to see the current status" in losers[0].message
    assert TransitionLog.objects.filter(application=app).count() == rows_before + 1
    assert len(mailoutbox) == mails_before + 1  # the one member hears of the one outcome
    assert "Audit log intact" in verify_log()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_submit_submits_once(require_postgres, mailoutbox):
    app = ApplicationFactory()
    owner = MembershipFactory(organization=app.organization).user
    editor = MembershipFactory(organization=app.organization, role="editor").user

    results = race(
        lambda: services.application_submit(application=fresh(app), actor=owner),
        lambda: services.application_submit(application=fresh(app), actor=editor),
    )

    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if isinstance(r, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "cannot be done while the application is “Submitted”" in losers[0].message
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert app.reference == "GZ-2026-LF-0001"
    assert ReferenceCounter.objects.get().last == 1
    assert list(TransitionLog.objects.filter(application=app).values_list("transition", flat=True)) == ["application.submit"]
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == sorted([owner.username, editor.username])
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, editor.email])
    assert "Audit log intact: 1 rows over 1 applications." in verify_log()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rush_of_first_submissions_numbers_each_once(require_postgres):
    """The first submissions of a call race to create its reference counter."""
    call = CompetitionFactory()
    apps = [ApplicationFactory(competition=call) for _ in range(4)]
    members = [MembershipFactory(organization=a.organization).user for a in apps]

    results = race(*[
        (lambda a=a, m=m: services.application_submit(application=fresh(a), actor=m)) for a, m in zip(apps, members)
    ])

    assert all(isinstance(r, Application) for r in results), results
    references = sorted(Application.objects.values_list("reference", flat=True))
    assert references == [f"GZ-2026-LF-{n:04d}" for n in range(1, 5)]
    assert "Audit log intact: 4 rows over 4 applications." in verify_log()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_withdraw_while_staff_accept(require_postgres):
    app = application_in_state(Status.SUBMITTED)
    results = race(
        lambda: services.application_withdraw(application=fresh(app), actor=app.member),
        lambda: services.application_accept_eligible(application=fresh(app), actor=app.staff),
    )
    # Withdrawal is allowed from eligible too: both may succeed, one after the other, or the
    # acceptance may find the application already withdrawn. Never an error from the database.
    assert all(isinstance(r, (Application, ApplicationError)) for r in results), results
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    assert "Audit log intact" in verify_log()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_two_sheets_at_the_same_moment_complete_the_review_once(require_postgres):
    from review import services as review_services
    from tests.factories import UserFactory

    app = application_in_state(Status.UNDER_REVIEW)
    first, second = UserFactory(), UserFactory()
    a1 = review_services.assignment_create(application=app, reviewer=first)
    a2 = review_services.assignment_create(application=app, reviewer=second)

    results = race(
        lambda: review_services.sheet_submit(sheet=a1.sheet, actor=first),
        lambda: review_services.sheet_submit(sheet=a2.sheet, actor=second),
    )

    assert not any(isinstance(r, BaseException) for r in results), results
    app.refresh_from_db()
    assert app.status == Status.REVIEWED
    assert TransitionLog.objects.filter(application=app, transition="application.complete_review").count() == 1
    assert "Audit log intact" in verify_log()


# The embedded default (`make run`) is a SQLite file. The test database pytest makes for SQLite
# is in memory, where threads lock differently, so this runs in a process of its own on a file.
SQLITE_RACE = """
import json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0, skip_checks=True)
from applications import services
from applications.models import Application, TransitionLog
from tests.factories import StaffFactory, application_in_state

outcomes = []
for _ in range(3):
    app = application_in_state("submitted")
    other = StaffFactory(bureau=app.competition.bureau)
    barrier, out = threading.Barrier(2), [None, None]
    def run(i, step):
        from django.utils import translation
        translation.activate("en")  # each thread starts in the site's default language, zh-hans
        try:
            barrier.wait()
            out[i] = type(step()).__name__
        except Exception as exc:
            out[i] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
    steps = [
        lambda: services.application_accept_eligible(application=Application.objects.get(pk=app.pk), actor=app.staff),
        lambda: services.application_reject_ineligible(application=Application.objects.get(pk=app.pk), actor=other, reason="x"),
    ]
    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(steps)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    outcomes.append({"results": out, "rows": TransitionLog.objects.filter(application=app).count()})
print(json.dumps(outcomes))
"""


def test_on_the_embedded_sqlite_database_the_loser_gets_a_message_too(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    base_dir = Path(__file__).resolve().parents[2]
    env = {
        **os.environ, "DJANGO_ENV": "development", "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}", "PYTHONPATH": str(base_dir),
        "EMAIL_URL": "memory://", "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run([sys.executable, "-c", SQLITE_RACE], cwd=base_dir, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    for outcome in json.loads(result.stdout.strip().splitlines()[-1]):
        assert sorted(r.split(":")[0] for r in outcome["results"]) == ["Application", "ApplicationError"], outcome
        assert "reload it to see the current status" in " ".join(outcome["results"])
        assert outcome["rows"] == 2  # submit, then exactly one of the two
