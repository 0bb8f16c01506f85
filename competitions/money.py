"""Money as Chinese documents write it: figures with separators and the amount in capitals (大写)."""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ("", "万", "亿", "万亿")


def _group(number):
    """0 < number < 10000 in capitals, with 零 for zeros between digits (1001 → 壹仟零壹)."""
    text, gap = "", False
    for unit, power in (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1)):
        digit = number // power % 10
        if digit == 0:
            gap = bool(text)
            continue
        text += ("零" if gap else "") + DIGITS[digit] + unit
        gap = False
    return text


def rmb_capital(amount):
    """The amount in capitals as on a cheque or an agreement: 100000 → 人民币壹拾万元整.

    Rounded to the fen. Per the People's Bank rules for filling in instruments: 壹拾 (never a bare
    拾), 零 for every run of zeros inside the number, 整 after 元 or 角 when there is no 分.
    """
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        return "负" + rmb_capital(-value)
    yuan = int(value)
    jiao, fen = divmod(int((value - yuan) * 100), 10)
    groups = []
    while yuan:
        yuan, group = divmod(yuan, 10000)
        groups.append(group)
    parts, gap = [], False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = True
            continue
        if parts and (gap or group < 1000):
            parts.append("零")
        parts.append(_group(group) + GROUP_UNITS[index])
        gap = False
    text = "".join(parts) + "元" if parts else ""
    if not jiao and not fen:
        return "人民币" + (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    return "人民币" + text + (DIGITS[fen] + "分" if fen else "整")
