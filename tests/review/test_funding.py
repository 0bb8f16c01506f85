"""The funding suggestion respects the budget, the per-project cap and the rural minimum share."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from review.funding import FundingItem, suggest_funding

amounts = st.integers(min_value=1, max_value=300).map(lambda n: D(n) * 1000)
items_strategy = st.lists(
    st.builds(
        FundingItem,
        key=st.uuids(),
        score=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
        requested=amounts,
        is_rural=st.booleans(),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    items=items_strategy,
    budget=st.integers(min_value=0, max_value=3000).map(lambda n: D(n) * 1000),
    cap=st.integers(min_value=1, max_value=300).map(lambda n: D(n) * 1000),
    share=st.integers(min_value=0, max_value=100).map(D),
)
def test_budget_cap_and_rural_share_hold_on_generated_calls(items, budget, cap, share):
    plan = suggest_funding(items, budget=budget, cap=cap, rural_min_share=share)
    funded = [row for row in plan.rows if row.funded]
    assert len(plan.rows) == len(items)
    assert [row.item for row in plan.rows] == items  # rank order kept, nothing lost
    assert sum(row.amount for row in funded) == plan.total <= budget
    for row in plan.rows:
        assert row.reason
        if row.funded:
            assert D("0") < row.amount <= min(cap, row.item.requested)
            assert row.item.score is not None
        else:
            assert row.amount == 0
    rural_total = sum(row.amount for row in funded if row.item.is_rural)
    assert rural_total == plan.rural_total
    target = budget * share / 100
    rural_capacity = sum(min(i.requested, cap) for i in items if i.is_rural and i.score is not None)
    assert rural_total >= min(target, rural_capacity) - D("0.01")
    if rural_capacity < target:
        assert any("cannot be met" in note for note in plan.notes)


@settings(max_examples=200, deadline=None)
@given(items=items_strategy, budget=st.integers(min_value=0, max_value=3000).map(lambda n: D(n) * 1000),
       cap=st.integers(min_value=1, max_value=300).map(lambda n: D(n) * 1000))
def test_without_a_rural_share_it_funds_in_rank_order(items, budget, cap):
    """With no share, an application is skipped only when what is left cannot pay it in full
    or in part; so the first unfunded scored one leaves (almost) nothing behind it funded."""
    plan = suggest_funding(items, budget=budget, cap=cap)
    remaining = budget
    for row in plan.rows:
        if row.item.score is None:
            continue
        want = min(row.item.requested, cap)
        expected = min(want, remaining)
        assert row.amount == (expected if expected > 0 else 0)
        remaining -= row.amount


def item(key, score, requested, rural=False):
    return FundingItem(key=key, score=D(score), requested=D(requested), is_rural=rural)


def test_worked_example_with_reasons():
    items = [
        item("A", 90, 120000),  # capped at 100,000
        item("B", 85, 80000),  # urban: only 50,000 left after the rural reserve -> out
        item("C", 80, 60000, rural=True),  # rural: funded from the reserve
        item("D", 70, 50000, rural=True),  # partly
    ]
    plan = suggest_funding(items, budget=D("200000"), cap=D("100000"), rural_min_share=D("50"), min_amount=D("10000"))
    rows = {row.item.key: row for row in plan.rows}
    assert rows["A"].amount == D("100000") and "per-project maximum" in rows["A"].reason
    assert not rows["B"].funded and "kept for rural organizations" in rows["B"].reason
    assert rows["C"].amount == D("60000") and "rural minimum share" in rows["C"].reason
    assert rows["D"].amount == D("40000") and "in part" in rows["D"].reason
    assert plan.total == D("200000") and plan.rural_total == D("100000")


def test_not_enough_rural_applicants_is_said():
    plan = suggest_funding(
        [item("A", 90, 50000), item("R", 60, 20000, rural=True)], budget=D("100000"), cap=D("100000"),
        rural_min_share=D("40"),
    )
    assert [r.amount for r in plan.rows] == [D("50000"), D("20000")]
    assert any("cannot be met" in n for n in plan.notes)


def test_below_the_minimum_amount_is_not_funded():
    plan = suggest_funding([item("A", 90, 95000), item("B", 80, 50000)], budget=D("100000"), cap=D("100000"),
                           min_amount=D("10000"))
    assert plan.rows[1].funded is False and "only 5,000.00 yuan" in plan.rows[1].reason
