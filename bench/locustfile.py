"""The deadline rush, for locust (run by `make loadtest`, bench/loadtest.py, which prepares the data).

Each simulated applicant is signed in (a session cookie with the second factor passed) and has its
own complete draft open: its page was loaded, so the browser holds the form's CSRF token and the
draft's version. When every user has its drafts open, all click 提交 together; a quarter click
twice (a double click must not submit twice). Only the submit POST is timed; redirects are not
followed (the answer is the 302 to the receipt).

Not imported by Django: it reads the prepared data from $LOADTEST_DATA and writes each submit's
start and end to $LOADTEST_TIMES for the driver to compute throughput and percentiles.
"""

import json
import os
import re
import time

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

from bench import cpu

DATA = json.loads(open(os.environ["LOADTEST_DATA"]).read())
USERS = int(os.environ.get("LOADTEST_USERS", "16"))
QUEUE = list(DATA["people"])  # handed out to the users: each takes its own applicants
OPENED = {"users": 0}
TIMES = []  # (start, end, status, double)
CPU = {}  # CPU seconds by kind of process when the first click starts and when the last ends
DONE = {"users": 0}


def _field(name, html):
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    return match.group(1) if match else None


class Applicant(FastHttpUser):
    # A simulated browser tab per applicant; the user runs its share one after another. FastHttpUser
    # (geventhttpclient): the client should cost as little CPU as wrk does for the floor, on the same cores.
    wait_time = lambda self: 0  # noqa: E731 - no think time: everyone clicks at the deadline

    def on_start(self):
        share = len(QUEUE) // USERS + 1
        self.mine = []
        while QUEUE and len(self.mine) < share:
            person = QUEUE.pop()
            url = f"/portal/applications/{person['application']}/"
            self.client.cookiejar.clear()  # each applicant's own cookie only, never the last one's
            response = self.client.get(url, headers={"Cookie": person["cookie"]}, name="open the draft",
                                       allow_redirects=False)
            html = response.text if response.status_code == 200 else ""
            person["token"] = _field("csrfmiddlewaretoken", html) or person["csrf"]
            person["version"] = _field("version", html)
            self.mine.append(person)
        OPENED["users"] += 1
        if OPENED["users"] == USERS:
            CPU["start"] = cpu.snapshot()
        while OPENED["users"] < USERS:  # everyone at the deadline together
            gevent.sleep(0.05)

    @task
    def submit(self):
        if not self.mine:
            DONE["users"] += 1
            if DONE["users"] >= USERS:
                CPU["end"] = cpu.snapshot()
                gevent.spawn(self.environment.runner.quit)
            raise StopUser()
        person = self.mine.pop()
        clicks = 2 if person["application"] % 4 == 0 else 1
        for click in range(clicks):
            self.client.cookiejar.clear()
            start = time.time()
            with self.client.post(f"/portal/applications/{person['application']}/submit/",
                                  data={"csrfmiddlewaretoken": person["token"], "version": person["version"] or "",
                                        "confirmed": "1"},  # as the confirmation dialog sends it
                                  headers={"Cookie": person["cookie"], "Referer": self.host + "/portal/"},
                                  name="submit (double click)" if click else "submit",
                                  allow_redirects=False, catch_response=True) as response:
                end = time.time()
                ok = response.status_code == 302 and "/receipt/" in response.headers.get("Location", "")
                if ok:
                    response.success()
                else:
                    response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
                TIMES.append((start, end, response.status_code if ok else -response.status_code, bool(click)))


@events.quitting.add_listener
def _write_times(environment, **kwargs):
    with open(os.environ["LOADTEST_TIMES"], "w") as out:
        json.dump({"times": TIMES, "cpu": CPU}, out)
