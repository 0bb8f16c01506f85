"""Budget rules, enforced when the application is submitted (rules.budget_valid)."""

import re
from decimal import Decimal

import pytest

from applications import services
from applications.models import Application, Status, TransitionLog
from applications.services import ApplicationError
from tests.factories import ApplicationFactory, CompetitionFactory, member_of

pytestmark = pytest.mark.django_db


def submit(requested, lines, **call):
    """Submit a draft asking ``requested`` with ``lines`` [(category, amount)]; return it."""
    competition = CompetitionFactory(**call)
    app = ApplicationFactory(
        competition=competition, requested_amount=Decimal(requested),
        lines=[(category, f"项目{n}", amount) for n, (category, amount) in enumerate(lines)] or False,
    )
    services.application_submit(application=app, actor=member_of(app.organization))
    return app


def refused(match, requested, lines, **call):
    with pytest.raises(ApplicationError, match=match):
        submit(requested, lines, **call)
    app = Application.objects.get()
    assert app.status == Status.DRAFT
    assert not TransitionLog.objects.exists()


def test_a_budget_that_adds_up_is_accepted():
    app = submit("50000", [("activities", "30000"), ("personnel", "16000"), ("admin", "4000")])
    assert app.status == Status.SUBMITTED


def test_lines_must_add_up_to_the_request():
    refused(
        re.escape("The budget lines add up to 49999.99 yuan but the request is 50000.00 yuan: make them equal."),
        "50000", [("activities", "45999.99"), ("admin", "4000")],
    )


def test_an_application_without_budget_lines_is_refused():
    refused("Add at least one budget line.", "50000", [])


@pytest.mark.parametrize("requested", ["9999.99", "100000.01"])
def test_the_request_must_lie_within_the_calls_min_and_max(requested):
    refused(
        re.escape("The request must be between 10000.00 and 100000.00 yuan for this call."),
        requested, [("activities", requested)],
    )


@pytest.mark.parametrize("requested", ["10000", "100000"])
def test_the_min_and_max_themselves_are_allowed(requested):
    assert submit(requested, [("activities", requested)]).status == Status.SUBMITTED


def test_admin_costs_exactly_at_the_cap_are_accepted():
    # 10% of 50,000 is 5,000.
    app = submit("50000", [("activities", "45000"), ("admin", "5000")])
    assert app.status == Status.SUBMITTED


def test_admin_costs_one_cent_over_the_cap_are_refused():
    refused(
        re.escape("Administrative costs are 5000.01 yuan; this call allows at most 10% of the request (5000.00 yuan)."),
        "50000", [("activities", "44999.99"), ("admin", "5000.01")],
    )


def test_admin_costs_over_several_lines_count_together():
    refused("Administrative costs are 5000.01 yuan", "50000",
            [("activities", "44999.99"), ("admin", "3000"), ("admin", "2000.01")])


def test_the_cap_is_never_rounded_up():
    # 10% of 10,000.15 is 1,000.015: 1,000.02 is over the cap even though it rounds to it.
    refused(re.escape("at most 10% of the request (1000.01 yuan)"), "10000.15",
            [("activities", "9000.13"), ("admin", "1000.02")])
    Application.objects.all().delete()
    assert submit("10000.15", [("activities", "9000.14"), ("admin", "1000.01")]).status == Status.SUBMITTED


def test_the_cap_follows_the_call():
    refused(re.escape("at most 5% of the request (2500.00 yuan)"), "50000",
            [("activities", "47499"), ("admin", "2501")], admin_cost_cap=Decimal("5"))


def test_a_call_may_allow_no_admin_costs():
    refused(re.escape("at most 0% of the request (0.00 yuan)"), "50000",
            [("activities", "49999.99"), ("admin", "0.01")], admin_cost_cap=Decimal("0"))


def test_negative_lines_are_refused():
    # A negative line could make other lines look as if they fit the request.
    refused("cannot be negative", "50000", [("activities", "56000"), ("other", "-10000"), ("admin", "4000")])
