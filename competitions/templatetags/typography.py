"""{% load typography %}: ``“{{ title|inner_quotes }}”`` quotes a title that has quotation marks of its own."""

from django import template

from competitions.typography import inner_quotes

register = template.Library()
register.filter("inner_quotes", inner_quotes)
