"""Absolute addresses point at the host and port the site is served on (issue 14, item 11).

The server here is pytest-django's ``live_server``: a real HTTP server on a random port (never
80 or 8000), the Wagtail Site left at ``localhost:80`` as a fresh database has it. In a request
the sitemap, the feed and open data build their addresses from the request; outside one (mail,
the award notice a worker renders) from ``SITE_URL``, which ``make run`` sets from HOST and PORT,
as this test sets it to the live server's address.
"""

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from django.core import mail

from applications.models import Status
from applications.notices import notice_issue
from applications.pdf import notice_html, qr_data_uri
from review import services as review_services
from tests.cms.conftest import add_call_page
from tests.factories import application_in_state

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# Addresses in the documents that are names of standards, not of this site.
STANDARDS = ("http://www.sitemaps.org/", "http://www.w3.org/")


def _get(url):
    with urlopen(url, timeout=30) as response:  # noqa: S310  our own live server
        assert response.status == 200, url
        return response.read().decode("utf-8"), response.url


def _addresses(text):
    found = re.findall(r"https?://[^\s\"'<>,]+", text)
    return [url for url in found if not url.startswith(STANDARDS)]


def _all_on(base, addresses):
    assert addresses
    for url in addresses:
        assert url.startswith(base + "/"), (url, base)


@pytest.fixture
def served(live_server, settings, call_index):
    """An open call with its page, an awarded project with its notice, and SITE_URL at the server."""
    settings.SITE_URL = live_server.url  # what `make run` does with its HOST and PORT
    awarded = application_in_state(Status.AWARDED)
    add_call_page(call_index, awarded.competition)
    notice, _created = notice_issue(application=awarded)
    return live_server.url, awarded, notice


def test_the_server_runs_on_a_port_of_its_own(served):
    base, _awarded, _notice = served
    address = urlsplit(base)
    assert address.port not in (None, 80, 8000)


def test_sitemap_feed_and_open_data_point_at_the_host_and_port_asked(served):
    base, awarded, _notice = served
    sitemap, _url = _get(base + "/sitemap.xml")
    _all_on(base, _addresses(sitemap))
    assert f"{base}/calls/call-{awarded.competition_id}/" in sitemap
    feed, _url = _get(base + "/feeds/calls.rss")
    _all_on(base, _addresses(feed))
    assert f"<link>{base}/calls/call-{awarded.competition_id}/</link>" in feed

    calls = json.loads(_get(base + "/open-data/calls.json")[0])["calls"]
    call = next(c for c in calls if c["id"].endswith(f"-call-{awarded.competition_id}"))
    assert call["url"] == f"{base}/calls/call-{awarded.competition_id}/"
    assert call["applyUrl"] == f"{base}/portal/calls/{awarded.competition_id}/apply/"
    grants = json.loads(_get(base + "/open-data/grants.json")[0])["grants"]
    assert [g["url"] for g in grants] == [f"{base}/projects/{awarded.reference}/"]
    csv_text, _url = _get(base + "/open-data/grants.csv")
    _all_on(base, _addresses(csv_text))
    # Every address they give opens on this server.
    for url in (call["url"], call["applyUrl"], grants[0]["url"]):
        _body, final = _get(url)
        assert final.startswith(base + "/")


def test_the_same_server_reached_by_another_name_answers_with_that_name(served):
    base, awarded, _notice = served
    other = base.replace("://localhost:", "://127.0.0.1:")
    assert other != base
    for path in ("/sitemap.xml", "/feeds/calls.rss", "/open-data/calls.json", "/open-data/grants.json"):
        _get(base + path)  # cached for the first name...
        text, _url = _get(other + path)  # ...never served to the second
        _all_on(other, _addresses(text))


def test_award_notice_qr_code_and_a_mail_link_point_at_the_server(served):
    base, awarded, notice = served
    html = notice_html(notice)
    verify = f"{base}/verify/{notice.code}/"
    assert verify in html
    assert qr_data_uri(verify) in html  # the QR code encodes that very address
    page, _url = _get(verify)
    assert awarded.reference in page

    mail.outbox.clear()
    review_services.reviewer_invite(
        email="new.reviewer@example.org", full_name="周教授", bureau=awarded.competition.bureau, actor=awarded.staff
    )
    [invitation] = [m for m in mail.outbox if m.to == ["new.reviewer@example.org"]]
    links = _addresses(invitation.body)
    _all_on(base, links)
    _page, final = _get(links[0])  # the one-time link opens the page that sets the password
    assert final.startswith(base + "/review/")

    mail.outbox.clear()
    submitted = application_in_state(Status.SUBMITTED, competition=awarded.competition)
    [receipt] = [m for m in mail.outbox if m.to == [submitted.member.email]]
    _all_on(base, _addresses(receipt.body))
    assert f"{base}/portal/applications/{submitted.pk}/" in receipt.body


def test_make_run_gives_the_server_and_worker_the_address_it_serves(tmp_path):
    """`make run PORT=…` sets SITE_URL to that port for the seed, the worker and the server."""
    port = "8765"
    plan = subprocess.run(
        ["make", "-n", "run", f"PORT={port}", "HOST=127.0.0.1"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert f"SITE_URL=http://127.0.0.1:{port} " in plan  # seed_demo: the Wagtail Site's host and port
    serve = plan[plan.index("export SITE_URL="):]
    assert serve.startswith(f"export SITE_URL=http://127.0.0.1:{port};")
    assert "celery" in serve and f"runserver 127.0.0.1:{port}" in serve
    given = subprocess.run(
        ["make", "-n", "run", f"PORT={port}", "SITE_URL=https://grants.example.org"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    assert "export SITE_URL=https://grants.example.org;" in given
