"""`make bench-http`: the product's pages under gunicorn beside the bare-Django floor, in one run.

Starts the product in production settings (gunicorn, 2 sync workers, PostgreSQL in a database of
its own, Redis in a db of its own), loads the demo data and 1,000 applications, runs the floor
(``../shared/tools/floor-django``, or $FLOOR_DIR) on the same gunicorn settings, and measures
each page with wrk (2 threads, 8 connections). Prints pages/s, p50, p99 and the share of the
floor's template view; asserts nothing about time. Afterwards the database is dropped and the
Redis db flushed.

    make bench-http                  # 10 s a page
    BENCH_SECONDS=3 make bench-http  # shorter, while the machine is busy
"""

import io
import os
import platform
import time

from bench.rig import CONNECTIONS, PORT, REDIS_URL, WORKERS, Rig, get, say, wrk

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "1000"))


def main():
    started = time.monotonic()
    with Rig("bench") as rig:
        from django.core.management import call_command

        from bench.data import public_site_and_staff

        rig.prepare_schema()
        call_command("seed_demo", allow_production=True, stdout=io.StringIO())
        pages, staff_cookie, total = public_site_and_staff(applications=APPLICATIONS)
        say(f"demo data and {APPLICATIONS:,} more applications loaded ({total:,} in the staff's bureau)")
        pages += [(f"staff application list ({total:,}, 50 a page)", "/admin/application/", staff_cookie),
                  ("Wagtail admin dashboard /admin/", "/admin/", staff_cookie)]
        pages = [p if len(p) == 3 else (*p, None) for p in pages]

        rig.start_gunicorn()
        for name, path, cookie in pages:  # each page answers, and warm (the page cache fills)
            status, body = get(path, cookie)
            if status != 200:
                raise SystemExit(f"{name} {path} answered {status}, not 200:\n{body[:800].decode(errors='replace')}")
        # The floor before and after the pages: the machine is shared, so its load moves.
        before = rig.run_floor(SECONDS)
        results = [(name, path, wrk(path, SECONDS, cookie)) for name, path, cookie in pages]
        after = rig.run_floor(SECONDS)

    base = (before["hello"].rate + after["hello"].rate) / 2
    say("")
    say(f"{platform.node()}, {os.cpu_count()} cores; gunicorn -w {WORKERS} (sync) on 127.0.0.1:{PORT}, "
        f"PostgreSQL, Redis {REDIS_URL}; wrk -t2 -c{CONNECTIONS}, {SECONDS} s a page")
    say(f"{'page':<44}{'pages/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of floor':>10}{'errors':>8}")
    rows = ([("floor: 20 KB template (before)", "", before["hello"])] + results
            + [("floor: 20 KB template (after)", "", after["hello"])])
    for name, _path, r in rows:
        say(f"{name:<44}{r.rate:9.0f}{r.p50:9.1f}{r.p99:9.1f}{r.rate / base:10.1%}{r.errors:8}")
    for label, floor in (("before", before), ("after", after)):
        r = floor["insert"]
        say(f"{'floor: one INSERT, POST (' + label + ')':<44}{r.rate:9.0f}{r.p50:9.1f}{r.p99:9.1f}{'':>10}{r.errors:8}")
    say(f"share of the floor: of the mean of its two template runs ({base:.0f}/s)")
    staff = next(r for n, _p, r in results if n.startswith("staff"))
    dashboard = next(r for n, _p, r in results if n.startswith("Wagtail"))
    say(f"staff list / admin dashboard: {staff.rate / dashboard.rate:.2f}×   "
        f"(whole run {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
