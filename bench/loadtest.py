"""`make loadtest`: the deadline rush under load, with locust (headless).

Prepares, in a database of its own, a call closing in a few minutes and LOADTEST_APPLICANTS
applicants (default 600), each signed in with a complete draft in it; starts the product in
production settings under gunicorn (2 sync workers) with Redis and a real Celery worker; measures
the floor's one-INSERT view (``../shared/tools/floor-django`` or $FLOOR_DIR) in the same run; then
16 locust users (LOADTEST_USERS) submit every draft, a quarter of them with a double click.

Prints submits/s and its share of the INSERT floor, p50/p99 of the submit POST, the count of
submitted applications and submit log rows (none lost, none doubled) and how long the worker
took until every 申报书 PDF existed. Asserts nothing about time.

Beside the bare floor it measures a signed-in one (bench/floor_signed_in.py): Django's own
middleware with a session in Redis, a CSRF-checked POST doing one INSERT, and one doing the least
an audited state change does (lock, last log row, INSERT, UPDATE in a transaction); the submit's
share of each says how much of the gap is being signed in and how much is the product's own work.
"""

import json
import os
import statistics
import subprocess
import sys
import time

from bench import cpu, floor_signed_in
from bench.rig import BASE_DIR, HOST, PORT, REDIS_URL, VENV_BIN, WORKERS, Rig, say

APPLICANTS = int(os.environ.get("LOADTEST_APPLICANTS", "600"))
USERS = int(os.environ.get("LOADTEST_USERS", "16"))
CLOSES_IN = int(os.environ.get("LOADTEST_CLOSES_IN_MINUTES", "10"))
FLOOR_SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WORKER_CONCURRENCY = os.environ.get("LOADTEST_WORKER_CONCURRENCY", "2")
PDF_WAIT_SECONDS = int(os.environ.get("LOADTEST_PDF_WAIT_SECONDS", "1800"))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main():
    with Rig("loadtest") as rig:
        from applications.models import SubmittedDocument
        from bench.data import rush, rush_outcome

        rig.prepare_schema()
        started = time.monotonic()
        call, people = rush(APPLICANTS, CLOSES_IN)
        say(f"{APPLICANTS} applicants with complete drafts in a call closing in {CLOSES_IN} minutes "
            f"({time.monotonic() - started:.0f} s)")
        data, times = rig.tmp / "people.json", rig.tmp / "times.json"
        data.write_text(json.dumps({"people": people}))

        rig.start_gunicorn()
        worker = rig.start_worker(WORKER_CONCURRENCY)
        floor = rig.run_floor(FLOOR_SECONDS)["insert"]
        signed_in = floor_signed_in.measure(rig, FLOOR_SECONDS)

        env = {**os.environ, "LOADTEST_DATA": str(data), "LOADTEST_TIMES": str(times), "LOADTEST_USERS": str(USERS)}
        locust = subprocess.run(
            [str(VENV_BIN / "locust"), "-f", str(BASE_DIR / "bench" / "locustfile.py"), "--headless",
             "-u", str(USERS), "-r", str(USERS), "--host", f"http://{HOST}:{PORT}", "--only-summary",
             "--run-time", "30m", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            env=env, capture_output=True, text=True,
        )
        say(locust.stdout.strip() or locust.stderr[-3000:])
        if not times.exists():
            sys.exit(f"locust wrote no timings ({locust.returncode}):\n{locust.stderr[-3000:]}")
        recorded = json.loads(times.read_text())
        runs, used = recorded["times"], recorded["cpu"]
        first = [r for r in runs if not r[3]]
        first_start = min(r[0] for r in runs)
        last_end = max(r[1] for r in runs)
        durations = [(r[1] - r[0]) * 1000 for r in runs]

        # The worker: every 申报书 PDF rendered, counted from the first click.
        deadline = time.monotonic() + PDF_WAIT_SECONDS
        next_note = time.monotonic() + 30
        # One PDF per submission that went through (none are waited for if the rush failed).
        expected = rush_outcome(call)["submit_log_rows"]
        if expected < APPLICANTS:
            say(f"  only {expected} of {APPLICANTS} submissions went through: see the error report above")
        while (done := SubmittedDocument.objects.filter(application__competition=call).count()) < expected:
            if worker.poll() is not None or time.monotonic() > deadline:
                break
            if time.monotonic() > next_note:
                say(f"  申报书 PDFs rendered so far: {done}/{expected}")
                next_note += 30
            time.sleep(0.5)
        pdfs_done = time.time()
        outcome = rush_outcome(call)
        if outcome["pdfs"] < APPLICANTS:
            say(f"the worker's log (end):\n{worker.log.read_text()[-3000:]}")

    window = last_end - first_start
    errors = [r for r in runs if r[2] < 0]
    say("")
    say(f"{os.cpu_count()} cores; gunicorn -w {WORKERS} (sync) on {HOST}:{PORT}, PostgreSQL, Redis {REDIS_URL}, "
        f"Celery worker (prefork, concurrency {WORKER_CONCURRENCY}); locust {USERS} users")
    say(f"floor, one INSERT (wrk -t2 -c8, {FLOOR_SECONDS} s): {floor.rate:.0f}/s, p50 {floor.p50:.1f} ms, p99 {floor.p99:.1f} ms")
    for label, result in (("a signed-in POST, one INSERT", signed_in["insert"]),
                          ("a signed-in audited state change", signed_in["transition"])):
        say(f"floor, {label} (Django's own middleware, session in Redis): {result.rate:.0f}/s "
            f"= {result.rate / floor.rate:.1%} of the INSERT floor, p50 {result.p50:.1f} ms, p99 {result.p99:.1f} ms"
            + (f", {result.errors} errors" if result.errors else ""))
    rate = len(runs) / window
    say(f"submits: {len(first)} applications (+{len(runs) - len(first)} double clicks) in {window:.1f} s: "
        f"{len(first) / window:.1f} submissions/s, {rate:.1f} submit POSTs/s "
        f"= {rate / floor.rate:.1%} of the INSERT floor, {rate / signed_in['insert'].rate:.1%} of the signed-in "
        f"INSERT, {rate / signed_in['transition'].rate:.1%} of the signed-in state change")
    say(f"submit POST: p50 {statistics.median(durations):.0f} ms, p99 {percentile(durations, 0.99):.0f} ms, "
        f"max {max(durations):.0f} ms; answers other than 302 to the receipt: {len(errors)}")
    if "start" in used and "end" in used:
        shares = cpu.spent(used["start"], used["end"])
        total = shares.pop("machine, all processes")
        say(f"CPU during the rush ({window:.1f} s x {os.cpu_count()} cores = {window * os.cpu_count():.1f} core-s; "
            f"used {total:.1f}): " + ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in shares.items())
            + f"; per submit POST: {total / len(runs) * 1000:.1f} ms of CPU, the web server's "
            f"{shares['web (gunicorn)'] / len(runs) * 1000:.1f} ms")
    lost = APPLICANTS - outcome["submitted"]
    doubled = outcome["submit_log_rows"] - outcome["submitted"]
    say(f"afterwards: {outcome['submitted']}/{outcome['applications']} submitted, {outcome['submit_log_rows']} "
        f"submit log rows, {outcome['references']} distinct references: {lost} lost, {doubled} doubled")
    say(f"申报书 PDFs: {outcome['pdfs']}/{APPLICANTS}, all present {pdfs_done - first_start:.1f} s after the "
        f"first click ({pdfs_done - last_end:.1f} s after the last submit)"
        if outcome["pdfs"] == APPLICANTS else
        f"申报书 PDFs: only {outcome['pdfs']}/{APPLICANTS} after {pdfs_done - first_start:.0f} s (the worker's log is above)")


if __name__ == "__main__":
    main()
