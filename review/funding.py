"""The funding suggestion: who to fund, how much, and why. A pure function over plain data.

Rules, in the order they apply:

1. Applications are taken in rank order (the order given). One without a score is not funded.
2. Each may get at most ``min(requested, per-project maximum)``.
3. The rural minimum share: ``budget × share ÷ 100`` yuan are kept for rural organizations while
   rural applicants still waiting could use them. An urban application is funded only from the
   budget left over that reserve; a rural one from the whole budget left.
4. When what is left is less than the amount, the application gets what is left (partial
   funding) provided that is at least ``min_amount``; otherwise it is not funded.

So the total never exceeds the budget, no amount exceeds the cap or the request, and rural
organizations receive at least the minimum share, or everything they asked for (capped) when
they asked for less than the share, which the notes then say.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .aggregation import plain

ZERO = Decimal("0")


@dataclass(frozen=True)
class FundingItem:
    key: object  # the application, or its id
    score: Decimal | None
    requested: Decimal
    is_rural: bool = False
    label: str = ""


@dataclass
class FundingRow:
    item: FundingItem
    amount: Decimal
    funded: bool
    reason: str


@dataclass
class FundingPlan:
    rows: list
    budget: Decimal
    total: Decimal = ZERO
    rural_total: Decimal = ZERO
    rural_target: Decimal = ZERO
    notes: list = field(default_factory=list)

    @property
    def left(self):
        return self.budget - self.total


def _yuan(value):
    return f"{Decimal(value).quantize(Decimal('0.01')):,}"


def suggest_funding(items, *, budget, cap, rural_min_share=ZERO, min_amount=ZERO):
    budget, cap = Decimal(budget), Decimal(cap)
    min_amount = max(Decimal(min_amount), Decimal("0.01"))
    share = Decimal(rural_min_share or 0)
    target = (budget * share / 100).quantize(Decimal("0.01"))
    items = list(items)
    wanted = {id(i): min(Decimal(i.requested), cap) for i in items}
    # What rural applicants (scored, in rank order) still waiting could absorb.
    rural_left = sum((wanted[id(i)] for i in items if i.is_rural and i.score is not None), ZERO)
    rural_capacity = rural_left

    plan = FundingPlan(rows=[], budget=budget, rural_target=target)
    remaining = budget
    for item in items:
        want = wanted[id(item)]
        if item.score is None:
            plan.rows.append(FundingRow(item, ZERO, False, _("Not funded: it has no review score yet.")))
            continue
        reserve = min(max(target - plan.rural_total, ZERO), rural_left)
        if item.is_rural:
            rural_left -= want
            available = remaining
        else:
            available = remaining - reserve
        amount = min(want, available)
        if amount < min_amount:
            if not item.is_rural and reserve > 0 and min(want, remaining) >= min_amount:
                reason = _(
                    "Not funded: %(reserve)s yuan of the %(left)s yuan left are kept for rural "
                    "organizations to meet the rural minimum share (%(share)s%%)."
                ) % {"reserve": _yuan(reserve), "left": _yuan(remaining), "share": plain(share)}
            else:
                reason = _("Not funded: only %(left)s yuan of the budget is left.") % {"left": _yuan(remaining)}
            plan.rows.append(FundingRow(item, ZERO, False, reason))
            continue
        parts = []
        if amount < want:
            parts.append(
                _("Funded in part: %(amount)s yuan, what is left of the budget, of the %(want)s yuan it could get.")
                % {"amount": _yuan(amount), "want": _yuan(want)}
            )
        elif want < Decimal(item.requested):
            parts.append(
                _("Funded at the per-project maximum of %(cap)s yuan (it asked for %(requested)s yuan).")
                % {"cap": _yuan(cap), "requested": _yuan(item.requested)}
            )
        else:
            parts.append(_("Funded in rank order with the full %(amount)s yuan requested.") % {"amount": _yuan(amount)})
        if item.is_rural and target > 0:
            parts.append(_("A rural organization: counts toward the rural minimum share."))
        remaining -= amount
        plan.total += amount
        if item.is_rural:
            plan.rural_total += amount
        plan.rows.append(FundingRow(item, amount, True, " ".join(str(p) for p in parts)))

    if target > 0:
        if rural_capacity < target:
            plan.notes.append(
                _(
                    "Rural organizations asked for %(asked)s yuan (capped), less than the rural minimum "
                    "share of %(target)s yuan: the share cannot be met; all of them that fit are funded."
                ) % {"asked": _yuan(rural_capacity), "target": _yuan(target)}
            )
        else:
            plan.notes.append(
                _("Rural organizations receive %(rural)s yuan; the minimum share is %(target)s yuan.")
                % {"rural": _yuan(plan.rural_total), "target": _yuan(target)}
            )
    plan.notes.append(
        _("%(total)s yuan of the %(budget)s yuan budget are allocated; %(left)s yuan are left.")
        % {"total": _yuan(plan.total), "budget": _yuan(budget), "left": _yuan(plan.left)}
    )
    return plan
