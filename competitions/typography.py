"""Quotation marks as GB/T 15834 (标点符号用法) sets them: a quotation inside a quotation takes
single marks. A project called “银龄守望”高龄独居老人关爱服务, quoted in a sentence, reads
“‘银龄守望’高龄独居老人关爱服务”, not ““银龄守望”高龄独居老人关爱服务”. English nests the
same way."""

_INNER = str.maketrans({"“": "‘", "”": "’", '"': "'"})


def inner_quotes(text):
    """``text`` ready to stand inside “…”: its own double quotation marks become single ones."""
    return "" if text is None else str(text).translate(_INNER)
