"""Verification of the hash-chained TransitionLog (see ``TransitionLog``)."""

from dataclasses import dataclass

from django.db import connection, transaction

from .models import Application, TransitionLog

GENESIS_HASH = "0" * 64


@dataclass
class ChainResult:
    rows: int = 0
    applications: int = 0
    problem: str = ""


def verify_chain():
    """Walk every application's chain in order; stop at the first row that does not hold.

    A row is bad when its stored hash is not the hash of its content, when its ``prev_hash``
    is not the previous row's hash (a row was deleted, edited or inserted before it), when its
    sequence number skips, or when the application's recorded head is not its last row (the
    newest rows were deleted). An application whose status is not where its last row left it
    (or not a draft, without rows) had its status changed outside the workflow.
    """
    # Heads and rows must come from one snapshot, or a transition committed between the two
    # reads would look like tampering. PostgreSQL's default (read committed) gives each
    # statement its own snapshot, so ask for repeatable read; SQLite reads one snapshot anyway.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify()


def _verify():
    result = ChainResult()
    heads, statuses = {}, {}
    for pk, head, status in Application.objects.values_list("pk", "log_head", "status").iterator(chunk_size=2000):
        heads[pk], statuses[pk] = head, status
    seen = set()
    current_app, expected_prev, expected_seq, last_row = None, GENESIS_HASH, 1, None

    def close(app_id, last_hash, last_row):
        if heads.get(app_id, "") != last_hash:
            return (
                f"TransitionLog row id={last_row.pk} (application {app_id}, seq {last_row.seq}): it is the "
                f"newest row left but its hash {last_hash[:12]}… is not the head the application records "
                f"({heads.get(app_id, '')[:12] or 'none'}…); rows after it were deleted or the head was altered."
            )
        if statuses.get(app_id) != last_row.to_state:
            return (
                f"TransitionLog row id={last_row.pk} (application {app_id}, seq {last_row.seq}): it leaves the "
                f"application “{last_row.to_state}” but the application is “{statuses.get(app_id)}”; its status "
                f"was changed outside the workflow."
            )
        return ""

    rows = TransitionLog.objects.order_by("application_id", "seq").iterator(chunk_size=2000)
    for row in rows:
        if row.application_id != current_app:
            if current_app is not None:
                problem = close(current_app, expected_prev, last_row)
                if problem:
                    result.problem = problem
                    return result
            current_app, expected_prev, expected_seq = row.application_id, GENESIS_HASH, 1
            seen.add(current_app)
            result.applications += 1
        where = f"TransitionLog row id={row.pk} (application {row.application_id}, seq {row.seq})"
        if row.seq != expected_seq:
            result.problem = f"{where}: expected seq {expected_seq}; a row before it was deleted."
            return result
        if row.prev_hash != expected_prev:
            result.problem = f"{where}: prev_hash does not match the previous row; a row before it was deleted or altered."
            return result
        if row.compute_hash() != row.hash:
            result.problem = f"{where}: its content does not match its hash; the row was edited."
            return result
        expected_prev, expected_seq, last_row = row.hash, expected_seq + 1, row
        result.rows += 1
    if current_app is not None:
        problem = close(current_app, expected_prev, last_row)
        if problem:
            result.problem = problem
            return result
    for app_id, head in heads.items():
        if app_id in seen:
            continue
        if head:
            result.problem = (
                f"Application {app_id}: it records a log head but has no TransitionLog rows; its whole log "
                f"was deleted."
            )
            return result
        if statuses[app_id] != "draft":
            result.problem = (
                f"Application {app_id}: it is “{statuses[app_id]}” but has no TransitionLog rows; its status "
                f"was changed outside the workflow."
            )
            return result
    return result
