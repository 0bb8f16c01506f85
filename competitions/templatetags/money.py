"""{% load money %}: ``{{ amount|yuan }}`` → 100,000.00 and ``{{ amount|rmb_capital }}`` → 人民币壹拾万元整."""

from django import template
from django.template.defaultfilters import floatformat

from competitions.money import rmb_capital as _rmb_capital

register = template.Library()


@register.filter
def yuan(amount):
    if amount in (None, ""):
        return ""
    return floatformat(amount, "2g")  # grouped with the language's separator (config/formats)


@register.filter
def rmb_capital(amount):
    if amount in (None, ""):
        return ""
    return _rmb_capital(amount)
