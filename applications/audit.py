"""Verification of the hash-chained TransitionLog (see ``TransitionLog``)."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from .models import Application, Disbursement, Objection, Organization, OrganizationClaim, Report, Status, TransitionLog

from .chain import GENESIS_HASH  # noqa: F401  (where it has always been read from)


@dataclass
class ChainResult:
    rows: int = 0
    applications: int = 0
    organizations: int = 0  # organizations' own chains (claims), before they have applications
    problems: list = field(default_factory=list)
    damaged_applications: set = field(default_factory=set)
    seen: set = field(default_factory=set)
    by_subject: Counter = field(default_factory=Counter)  # rows per subject kind
    latest: dict = field(default_factory=dict)  # (subject, id) -> its newest chained row

    @property
    def chains(self):
        """What the rows were spread over, said the way the summaries say it."""
        said = f"{self.applications} applications"
        if self.organizations:
            said += f" and {self.organizations} organizations"
        return said

    @property
    def problem(self):
        """The first problem found ("" when the log is intact)."""
        return self.problems[0] if self.problems else ""

    def add(self, app_id, message):
        self.problems.append(message)
        self.damaged_applications.add(app_id)


def verify_chain():
    """Walk every application's chain in order and report every row that does not hold.

    A row is bad when its stored hash is not the hash of its content, when its ``prev_hash``
    is not the previous row's hash (a row was deleted, edited or inserted before it), when its
    sequence number skips, or when the application's recorded head is not its last row (the
    newest rows were deleted). An application whose status is not where its last row left it
    (or not a draft, without rows) had its status changed outside the workflow.

    After a bad row the walk takes that row as the new starting point, so one deletion or edit is
    one problem, and an operator sees every damaged row and application in one run.
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
    chain, current_app = [], None
    for row in TransitionLog.objects.filter(application__isnull=False).order_by("application_id", "seq").iterator(chunk_size=2000):
        if row.application_id != current_app and chain:
            _check_application(result, chain, heads, statuses)
            chain = []
        current_app = row.application_id
        chain.append(row)
    if chain:
        _check_application(result, chain, heads, statuses)
    _check_subjects(result)
    _check_organization_chains(result)
    for app_id, head in heads.items():
        if app_id in result.seen:
            continue
        if head:
            result.add(
                app_id,
                f"Application {app_id}: it records a log head but has no TransitionLog rows; its whole log "
                f"was deleted.",
            )
        elif statuses[app_id] != Status.DRAFT:
            result.add(
                app_id,
                f"Application {app_id}: it is “{statuses[app_id]}” but has no TransitionLog rows; its status "
                f"was changed outside the workflow.",
            )
    return result


def _moved_from(row, positions):
    """The sequence number the row was written with, when only its ``seq`` was changed since."""
    stored_seq = row.seq
    try:
        for seq in positions:
            if seq != stored_seq:
                row.seq = seq
                if row.compute_hash() == row.hash:
                    return seq
    finally:
        row.seq = stored_seq
    return None


def _check_application(result, chain, heads, statuses):
    """One application's rows in ``seq`` order: each bad row once, then the head and the status."""
    app_id = chain[0].application_id
    result.seen.add(app_id)
    result.applications += 1
    result.rows += len(chain)
    for row in chain:
        result.by_subject[row.subject] += 1
        if row.subject_id is not None:
            result.latest[(row.subject, row.subject_id)] = row
    positions = range(1, len(chain) + 2 + max(row.seq for row in chain))
    by_hash = {row.hash: row for row in chain}
    expected_prev, expected_seq = GENESIS_HASH, 1
    for row in chain:
        written_seq = row.seq
        where = f"TransitionLog row id={row.pk} (application {app_id}, seq {row.seq})"
        if row.compute_hash() != row.hash:
            moved = _moved_from(row, positions)
            if moved is not None:
                written_seq = moved
                result.add(app_id, f"{where}: it was written as seq {moved}; the rows were reordered.")
            else:
                result.add(app_id, f"{where}: its content does not match its hash; the row was edited.")
        elif row.prev_hash != expected_prev:
            if row.prev_hash in by_hash:
                result.add(
                    app_id,
                    f"{where}: it follows row id={by_hash[row.prev_hash].pk}, not the row before it; "
                    f"the rows were reordered.",
                )
            elif row.seq != expected_seq:
                result.add(app_id, f"{where}: expected seq {expected_seq}; a row before it was deleted.")
            else:
                result.add(
                    app_id,
                    f"{where}: prev_hash does not match the previous row; a row before it was deleted or altered.",
                )
        elif row.seq != expected_seq:
            result.add(app_id, f"{where}: expected seq {expected_seq}; its sequence number was changed.")
        # Start afresh from this row, so the damage is reported once, not for every row after it;
        # a row moved back to an earlier place does not become the chain's end.
        if written_seq + 1 >= expected_seq:
            expected_prev, expected_seq = row.hash, written_seq + 1
    last = chain[-1]
    if heads.get(app_id, "") != last.hash:
        result.add(
            app_id,
            f"TransitionLog row id={last.pk} (application {app_id}, seq {last.seq}): it is the "
            f"newest row left but its hash {last.hash[:12]}… is not the head the application records "
            f"({heads.get(app_id, '')[:12] or 'none'}…); rows after it were deleted or the head was altered.",
        )
    own = [row for row in chain if row.subject == TransitionLog.Subject.APPLICATION]
    last = own[-1] if own else None
    if last is None:
        if statuses.get(app_id) != Status.DRAFT:
            result.add(app_id, f"Application {app_id}: it is “{statuses.get(app_id)}” but no row of its chain "
                               f"moved it there; its status was changed outside the workflow.")
    elif statuses.get(app_id) != last.to_state:
        result.add(
            app_id,
            f"TransitionLog row id={last.pk} (application {app_id}, seq {last.seq}): it leaves the "
            f"application “{last.to_state}” but the application is “{statuses.get(app_id)}”; its status "
            f"was changed outside the workflow.",
        )


SUBJECT_MODELS = (
    (TransitionLog.Subject.DISBURSEMENT, Disbursement, "tranche", ("amount", "paid_on", "voucher")),
    (TransitionLog.Subject.REPORT, Report, "report", ()),
    (TransitionLog.Subject.OBJECTION, Objection, "objection", ()),
)


def _check_subjects(result):
    """Each tranche, report and objection must stand where its newest chained row left it, and a
    tranche's amount (and once paid its date and voucher) must be the figures that row vouches for."""
    for subject, model, label, figures in SUBJECT_MODELS:
        initial = model._meta.get_field("state").default
        for values in model.objects.values("pk", "application_id", "state", *figures).iterator(chunk_size=2000):
            pk, app_id, state = values["pk"], values["application_id"], values["state"]
            row = result.latest.get((subject, pk))
            where = f"{label.capitalize()} id={pk} (application {app_id})"
            if row is None:
                if state != initial or subject != TransitionLog.Subject.REPORT:
                    result.add(app_id, f"{where}: it is “{state}” but has no row in its application's chain; "
                                       f"it was made or changed outside the workflow.")
                continue
            at_row = f"TransitionLog row id={row.pk} (application {app_id}, seq {row.seq})"
            if row.to_state != state:
                result.add(app_id, f"{where}: it is “{state}” but {at_row} leaves it “{row.to_state}”; its state "
                                   f"was changed outside the workflow.")
            if figures:
                _check_figures(result, values, row, where, at_row)


def _check_figures(result, values, row, where, at_row):
    recorded = row.data or {}
    amount = Decimal(recorded["amount"]) if "amount" in recorded else None
    if amount is not None and values["amount"] != amount:
        result.add(values["application_id"], f"{where}: its amount is {values['amount']} but {at_row} records "
                                             f"{amount}; the tranche was changed outside the workflow.")
    if values["state"] == Disbursement.State.PAID:
        paid_on = values["paid_on"].isoformat() if values["paid_on"] else None
        if (paid_on, values["voucher"]) != (recorded.get("paid_on"), recorded.get("voucher")):
            result.add(values["application_id"], f"{where}: it was paid on {paid_on} with voucher {values['voucher']} but "
                                                 f"{at_row} records {recorded.get('paid_on')} with voucher "
                                                 f"{recorded.get('voucher')}; the payment was changed outside the workflow.")


def _check_organization_chains(result):
    """The organizations' own chains (claims of an imported organization): every row's hash and link,
    each chain's recorded head, and each claim where its newest row left it."""
    heads = dict(Organization.objects.exclude(log_head="").values_list("pk", "log_head"))
    chains = {}
    for row in TransitionLog.objects.filter(organization__isnull=False).order_by("organization_id", "seq").iterator(chunk_size=2000):
        chains.setdefault(row.organization_id, []).append(row)
    for org_id, chain in chains.items():
        key = ("organization", org_id)
        result.organizations += 1
        result.rows += len(chain)
        expected_prev = GENESIS_HASH
        for seq, row in enumerate(chain, start=1):
            result.by_subject[row.subject] += 1
            if row.subject_id is not None:
                result.latest[(row.subject, row.subject_id)] = row
            where = f"TransitionLog row id={row.pk} (organization {org_id}, seq {row.seq})"
            if row.compute_hash() != row.hash:
                result.add(key, f"{where}: its content does not match its hash; the row was edited.")
            elif row.prev_hash != expected_prev or row.seq != seq:
                result.add(key, f"{where}: it does not follow the row before it; a row was deleted, inserted or moved.")
            expected_prev = row.hash
        if heads.pop(org_id, "") != chain[-1].hash:
            result.add(key, f"Organization {org_id}: its recorded head is not its newest row; rows after "
                            f"id={chain[-1].pk} were deleted or the head was altered.")
    for org_id in heads:
        result.add(("organization", org_id), f"Organization {org_id}: it records a log head but has no rows; its log was deleted.")
    for pk, org_id, state in OrganizationClaim.objects.values_list("pk", "organization_id", "state").iterator(chunk_size=2000):
        row = result.latest.get((TransitionLog.Subject.CLAIM, pk))
        if row is None or row.to_state != state:
            result.add(("organization", org_id), f"Organization claim id={pk} (organization {org_id}): it is “{state}” but "
                                                 f"its chain does not leave it there; it was changed outside the workflow.")
