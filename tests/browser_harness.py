"""Playwright harness: Debian's chromium driving the live test server on a phone-sized screen.

Use the ``phone_page`` fixture: a Playwright page whose relative URLs go to pytest-django's
``live_server`` (a thread of this process, so ``django.core.mail.outbox`` and settings are shared).
Screenshots: ``screenshot(page, name)`` writes docs/screenshots/<name>.png when SAVE_SCREENSHOTS=1,
otherwise into the test's temporary folder.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"  # <repo>/docs/screenshots
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or IN_CI:
        return  # under CI a missing chromium fails in the fixture, loudly
    skip = pytest.mark.skip(reason=f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"CI=true but chromium is missing at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test code still talks to the
    # database synchronously (factories, assertions), which Django allows with this flag.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_phone_page(browser, live_server):
    """Make pages on a 390×844 phone viewport, English, relative URLs resolved against live_server.

    Keyword arguments go to ``browser.new_context`` (e.g. ``java_script_enabled=False``).
    """
    contexts = []

    def make(**options):
        settings = {
            "base_url": live_server.url, "viewport": PHONE, "device_scale_factor": 1, "is_mobile": True,
            "has_touch": True, "locale": "en-US",
        }
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(new_phone_page):
    """A page on a phone-sized viewport with JavaScript on, as most applicants have it."""
    return new_phone_page()


@pytest.fixture
def screenshot(tmp_path):
    folder = SCREENSHOTS if os.environ.get("SAVE_SCREENSHOTS") else tmp_path

    def take(page, name, full_page=True):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
