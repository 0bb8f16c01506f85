"""{% load typography %}: ``“{{ title|inner_quotes }}”`` quotes a title that has quotation marks of its own."""

from django import template

from competitions.typography import inner_quotes as _inner_quotes

register = template.Library()


@register.filter
def inner_quotes(text):
    return _inner_quotes(text)
