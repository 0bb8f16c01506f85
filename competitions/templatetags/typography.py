"""{% load typography %}: ``“{{ title|inner_quotes }}”`` quotes a title that has quotation marks of its
own; ``{{ name }}{{ email|parens }}`` adds a parenthetical in the language's own brackets."""

from django import template

from competitions.typography import inner_quotes, parens

register = template.Library()
register.filter("inner_quotes", inner_quotes)
register.filter("parens", parens)
