"""Punctuation as GB/T 15834 (标点符号用法) sets it.

A quotation inside a quotation takes single marks: a project called “银龄守望”高龄独居老人关爱服务,
quoted in a sentence, reads “‘银龄守望’高龄独居老人关爱服务”, not ““银龄守望”高龄独居老人关爱服务”.
English nests the same way. A parenthetical takes the language's own brackets: 王老师（wang@example.org）
in Chinese, Wang (wang@example.org) in English.
"""

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

_INNER = str.maketrans({"“": "‘", "”": "’", '"': "'"})


def inner_quotes(text):
    """``text`` ready to stand inside “…”: its own double quotation marks become single ones."""
    return "" if text is None else str(text).translate(_INNER)


def parens(text):
    """``text`` as a parenthetical after what precedes it: （text） in Chinese, " (text)" in English.

    Escaped; empty text gives nothing, so ``{{ a.reference|parens }}`` may stand where there is none.
    """
    if text in (None, ""):
        return ""
    # Translators: a parenthetical after a word; Chinese uses full-width brackets and no space.
    return mark_safe(conditional_escape(gettext(" (%(text)s)")) % {"text": conditional_escape(text)})
