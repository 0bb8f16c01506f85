"""Turning score sheets into one score per application. Pure functions over plain data.

Scale and rounding, stated once:

* A sheet's total is Σ points_i × weight_i ÷ Σ max_i × weight_i × 100, so every sheet, whatever
  the rubric, is on a 0–100 scale. Totals and means are exact ``Decimal`` arithmetic
  (28 significant digits); only the z-score method uses floats (a square root is needed).
* Aggregates are rounded to two decimals, half up, at the very end (``ROUND``), never before.
* Methods: ``mean``; ``median`` (the mean of the two middle totals for an even count);
  ``trimmed_mean`` (with at least 5 sheets, one highest and one lowest total are dropped, then
  the mean; with fewer sheets, the plain mean); ``zscore`` (each reviewer's totals across the
  whole call are turned into z = (total − reviewer's mean) ÷ reviewer's population standard
  deviation, 0 when the reviewer gave one distinct total; an application's z is the mean of its
  sheets' z; then rescaled linearly so that the call's lowest application gets 0 and the highest
  100, or 50 for all when they are equal).
* Spread flag: the largest minus the smallest sheet total of one application exceeds the call's
  threshold (a percentage of the maximum, i.e. of 100 points).
* Final score = review × (1 − w) + pitch × w with w = pitch weight ÷ 100 when there is a pitch
  score, plus the community bonus when it applies.
"""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def plain(value):
    """A Decimal without trailing zeros or exponent: 30.0 -> "30", 7.50 -> "7.5", 60 -> "60"."""
    return format(Decimal(value).normalize(), "f")


def ROUND(value):  # noqa: N802 - reads as the rule it is
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    max_points: Decimal
    weight: Decimal = Decimal("1")


@dataclass(frozen=True)
class SheetScores:
    application_id: int
    reviewer_id: int
    points: dict  # criterion id -> Decimal


@dataclass
class ApplicationResult:
    application_id: int
    score: Decimal | None  # rounded, 0..100
    totals: list = field(default_factory=list)  # sheet totals, unrounded
    spread: Decimal = Decimal("0")
    spread_flag: bool = False
    criterion_means: dict = field(default_factory=dict)  # criterion id -> Decimal (rounded)

    @property
    def sheet_count(self):
        return len(self.totals)


def sheet_total(points, rubric):
    """Weighted total of one sheet on a 0–100 scale (missing criteria count as 0)."""
    denominator = sum((Decimal(c.max_points) * Decimal(c.weight) for c in rubric), Decimal("0"))
    if not denominator:
        return Decimal("0")
    numerator = sum((Decimal(points.get(c.id, 0)) * Decimal(c.weight) for c in rubric), Decimal("0"))
    return numerator * HUNDRED / denominator


def mean(values):
    values = list(values)
    return sum(values, Decimal("0")) / len(values) if values else None


def median(values):
    values = sorted(values)
    n = len(values)
    if not n:
        return None
    middle = n // 2
    return values[middle] if n % 2 else (values[middle - 1] + values[middle]) / 2


def trimmed_mean(values):
    values = sorted(values)
    if len(values) >= 5:
        values = values[1:-1]
    return mean(values)


def spread_of(totals):
    return (max(totals) - min(totals)) if totals else Decimal("0")


def zscores(sheet_totals):
    """``[(application_id, reviewer_id, total)]`` -> {application id: mean z over its sheets}."""
    by_reviewer = {}
    for _app, reviewer, total in sheet_totals:
        by_reviewer.setdefault(reviewer, []).append(float(total))
    stats = {}
    for reviewer, values in by_reviewer.items():
        mu = sum(values) / len(values)
        sigma = math.sqrt(sum((v - mu) ** 2 for v in values) / len(values))
        stats[reviewer] = (mu, sigma)
    per_app = {}
    for app, reviewer, total in sheet_totals:
        mu, sigma = stats[reviewer]
        z = 0.0 if sigma == 0 else (float(total) - mu) / sigma
        per_app.setdefault(app, []).append(z)
    return {app: sum(zs) / len(zs) for app, zs in per_app.items()}


def rescale_to_100(values):
    """{key: float} -> {key: Decimal}: lowest 0, highest 100, all 50 when they are equal."""
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high == low:
        return {k: Decimal("50") for k in values}
    return {k: Decimal(repr((v - low) / (high - low) * 100)) for k, v in values.items()}


METHODS = {"mean": mean, "median": median, "trimmed_mean": trimmed_mean}


def aggregate(sheets, rubric, *, method="mean", spread_threshold=Decimal("20")):
    """Score every application that has sheets. Returns {application id: ApplicationResult}."""
    raw = []
    criterion_points = {}
    for sheet in sheets:
        raw.append((sheet.application_id, sheet.reviewer_id, sheet_total(sheet.points, rubric)))
        per = criterion_points.setdefault(sheet.application_id, {})
        for c in rubric:
            per.setdefault(c.id, []).append(Decimal(sheet.points.get(c.id, 0)))
    means = {app: {cid: mean(pts) for cid, pts in per.items()} for app, per in criterion_points.items()}
    return aggregate_totals(raw, means, method=method, spread_threshold=spread_threshold)


def aggregate_totals(raw, criterion_means, *, method="mean", spread_threshold=Decimal("20")):
    """The same from sheet totals already computed (e.g. by the database).

    ``raw`` is ``[(application id, reviewer id, total 0..100)]``; ``criterion_means`` maps
    application id -> {criterion id: mean points}.
    """
    totals = {}
    for app, _reviewer, total in raw:
        totals.setdefault(app, []).append(total)
    if method == "zscore":
        scores = rescale_to_100(zscores(raw))
    else:
        fn = METHODS[method]
        scores = {app: fn(values) for app, values in totals.items()}
    threshold = Decimal(spread_threshold)
    results = {}
    for app, values in totals.items():
        spread = spread_of(values)
        results[app] = ApplicationResult(
            application_id=app,
            score=ROUND(scores[app]),
            totals=values,
            spread=spread,
            spread_flag=spread > threshold,
            criterion_means={cid: ROUND(m) for cid, m in criterion_means.get(app, {}).items()},
        )
    return results


def final_score(review, pitch=None, *, pitch_weight=Decimal("0"), bonus=Decimal("0")):
    """Review and pitch combined with the call's pitch weight (a percentage), plus any bonus."""
    if review is None:
        return None
    review = Decimal(review)
    if pitch is not None and pitch_weight:
        w = Decimal(pitch_weight) / HUNDRED
        review = review * (1 - w) + Decimal(pitch) * w
    return ROUND(review + Decimal(bonus or 0))
