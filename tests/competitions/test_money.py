"""Money as a Chinese clerk writes it: separators in both languages, the amount in capitals."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from competitions.money import rmb_capital


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("0.01", "人民币壹分"),
        ("10", "人民币壹拾元整"),
        ("100000", "人民币壹拾万元整"),
        ("100000.01", "人民币壹拾万元零壹分"),
        ("1000000000.10", "人民币壹拾亿元壹角整"),
        ("0", "人民币零元整"),
        ("1001", "人民币壹仟零壹元整"),
        ("100000001", "人民币壹亿零壹元整"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("1234567.89", "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("35000.50", "人民币叁万伍仟元伍角整"),
        (Decimal("0.005"), "人民币壹分"),  # rounded to the fen, half up
    ],
)
def test_amount_in_capitals(amount, capitals):
    assert rmb_capital(amount) == capitals


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "1,000,000.00 · 1,000,000 · 2026年12月3日"),
                                                      ("en", "1,000,000.00 · 1,000,000 · Dec. 3, 2026")])
def test_figures_have_thousands_separators_in_both_languages(language, expected):
    import datetime as dt

    template = Template('{% load money humanize %}{{ a|yuan }} · {{ a|intcomma }} · {{ d|date:"DATE_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"a": 1000000, "d": dt.date(2026, 12, 3)})) == expected
