"""Each aggregation method against values computed by hand, ties included."""

from decimal import Decimal as D

import pytest

from review.aggregation import (
    CriterionSpec,
    SheetScores,
    aggregate,
    final_score,
    mean,
    median,
    sheet_total,
    trimmed_mean,
)

# Rubric: A max 30 weight 1, B max 40 weight 2, C max 30 weight 1 -> denominator 30 + 80 + 30 = 140.
RUBRIC = [CriterionSpec(1, D("30"), D("1")), CriterionSpec(2, D("40"), D("2")), CriterionSpec(3, D("30"), D("1"))]


def sheet(app, reviewer, a, b, c):
    return SheetScores(app, reviewer, {1: D(str(a)), 2: D(str(b)), 3: D(str(c))})


def test_sheet_total_is_weighted_and_normalized_to_100():
    # (21 + 2×28 + 21) / 140 × 100 = 98 / 140 × 100 = 70
    assert sheet_total({1: D("21"), 2: D("28"), 3: D("21")}, RUBRIC) == D("70")
    # (30 + 80 + 30) / 140 = 100 ; a missing criterion counts as 0: (0 + 80 + 30) / 140 × 100 = 78.571…
    assert sheet_total({1: D("30"), 2: D("40"), 3: D("30")}, RUBRIC) == D("100")
    assert sheet_total({2: D("40"), 3: D("30")}, RUBRIC).quantize(D("0.001")) == D("78.571")


def test_plain_statistics_with_ties():
    assert mean([D("70"), D("70"), D("85")]) == D("75")
    assert median([D("70"), D("85"), D("70")]) == D("70")  # tie in the middle
    assert median([D("60"), D("70"), D("80"), D("90")]) == D("75")  # even count: mean of the two middle
    # 5 sheets with tied extremes: drop ONE highest (90) and ONE lowest (50) only.
    assert trimmed_mean([D("50"), D("50"), D("70"), D("90"), D("90")]) == (D("50") + D("70") + D("90")) / 3
    # fewer than 5: no trimming
    assert trimmed_mean([D("50"), D("70"), D("90"), D("100")]) == D("77.5")


# Application 1: totals 70, 70, 85 (two tied) ; application 2: 50, 100 (spread 50).
SHEETS = [
    sheet(1, 10, 21, 28, 21),  # 70
    sheet(1, 11, 21, 28, 21),  # 70
    sheet(1, 12, 27, 33, 26),  # (27 + 66 + 26) / 140 × 100 = 119/1.4 = 85
    sheet(2, 10, 15, 20, 15),  # 70/140 = 50
    sheet(2, 11, 30, 40, 30),  # 100
]


def test_mean_and_spread_flag():
    result = aggregate(SHEETS, RUBRIC, method="mean", spread_threshold=D("20"))
    assert result[1].score == D("75.00")
    assert result[2].score == D("75.00")  # a tie in score; the ranking breaks it
    assert result[1].spread == D("15") and result[1].spread_flag is False
    assert result[2].spread == D("50") and result[2].spread_flag is True
    # Per-criterion means: A (21+21+27)/3 = 23 ; B (28+28+33)/3 = 29.666… -> 29.67
    assert result[1].criterion_means == {1: D("23.00"), 2: D("29.67"), 3: D("22.67")}


def test_spread_exactly_at_threshold_is_not_flagged():
    result = aggregate(SHEETS, RUBRIC, method="mean", spread_threshold=D("15"))
    assert result[1].spread_flag is False  # 15 is not more than 15
    result = aggregate(SHEETS, RUBRIC, method="mean", spread_threshold=D("14.99"))
    assert result[1].spread_flag is True


def test_median():
    result = aggregate(SHEETS, RUBRIC, method="median")
    assert result[1].score == D("70.00")
    assert result[2].score == D("75.00")


def test_trimmed_mean_needs_five_sheets():
    five = [sheet(3, 20 + i, a, b, c) for i, (a, b, c) in enumerate(
        [(15, 20, 15), (21, 28, 21), (21, 28, 21), (27, 33, 26), (30, 40, 30)]
    )]  # totals 50, 70, 70, 85, 100 -> drop 50 and 100 -> (70 + 70 + 85) / 3 = 75
    result = aggregate(SHEETS + five, RUBRIC, method="trimmed_mean")
    assert result[3].score == D("75.00")
    assert result[1].score == D("75.00")  # 3 sheets: plain mean


def test_rounding_is_half_up_at_the_end():
    # totals 70 and 70.5/1.4... use a one-criterion rubric: 1/3 of 100 = 33.333… -> 33.33; 2/3 -> 66.67
    rubric = [CriterionSpec(1, D("3"))]
    result = aggregate([SheetScores(1, 1, {1: D("1")}), SheetScores(2, 1, {1: D("2")})], rubric)
    assert result[1].score == D("33.33") and result[2].score == D("66.67")
    # 0.125 -> 0.13 (half up, not half even)
    rubric = [CriterionSpec(1, D("800"))]
    assert aggregate([SheetScores(1, 1, {1: D("1")})], rubric)[1].score == D("0.13")


def test_zscore_normalizes_each_reviewer_then_rescales_to_100():
    # Reviewer 10 is harsh (totals 40, 60 -> mean 50, sd 10), reviewer 11 lenient (80, 100 -> mean 90, sd 10).
    # App 1 got 60 from r10 (z = +1) and 80 from r11 (z = -1): mean z 0.
    # App 2 got 40 from r10 (z = -1) and 100 from r11 (z = +1): mean z 0 -> tie with app 1.
    # App 3 got only r10's... use a third reviewer to make a spread of z values:
    one = [CriterionSpec(1, D("100"))]
    sheets = [
        SheetScores(1, 10, {1: D("60")}), SheetScores(1, 11, {1: D("80")}),
        SheetScores(2, 10, {1: D("40")}), SheetScores(2, 11, {1: D("100")}),
        SheetScores(3, 12, {1: D("30")}), SheetScores(4, 12, {1: D("90")}),  # r12: mean 60, sd 30 -> z -1 and +1
    ]
    result = aggregate(sheets, one, method="zscore")
    # z: app1 0, app2 0, app3 -1, app4 +1 -> rescaled (z+1)/2 × 100
    assert result[1].score == D("50.00") and result[2].score == D("50.00")
    assert result[3].score == D("0.00") and result[4].score == D("100.00")


def test_zscore_reviewer_with_one_distinct_total_counts_zero_and_all_equal_gives_50():
    one = [CriterionSpec(1, D("10"))]
    sheets = [SheetScores(1, 10, {1: D("7")}), SheetScores(2, 10, {1: D("7")})]
    result = aggregate(sheets, one, method="zscore")
    assert result[1].score == result[2].score == D("50.00")


def test_final_score_combines_pitch_and_bonus():
    # review 80, pitch 90, weight 30 % -> 80 × 0.7 + 90 × 0.3 = 56 + 27 = 83 ; + bonus 2 = 85
    assert final_score(D("80"), D("90"), pitch_weight=D("30")) == D("83.00")
    assert final_score(D("80"), D("90"), pitch_weight=D("30"), bonus=D("2")) == D("85.00")
    assert final_score(D("80"), None, pitch_weight=D("30")) == D("80.00")
    assert final_score(None) is None


@pytest.mark.parametrize("method", ["mean", "median", "trimmed_mean", "zscore"])
def test_every_method_scores_every_application_with_sheets(method):
    result = aggregate(SHEETS, RUBRIC, method=method)
    assert set(result) == {1, 2}
    assert all(D("0") <= r.score <= D("100") for r in result.values())
