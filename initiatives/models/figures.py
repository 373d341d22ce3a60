"""How a figure is written for readers: ``≥ 20万人``, ``3.98亿元``, ``3.5%`` (readable), and
``≥ 20,000 人`` (exact). Plain functions of a value, unit and comparator, so the models and
the pictures both use them without importing each other."""

from decimal import Decimal

EQUAL = "="


def format_number(value):
    """``20000.0000`` → ``20,000``; ``1.5000`` → ``1.5``."""
    if value is None:
        return ""
    return f"{Decimal(value):,.4f}".rstrip("0").rstrip(".")


def readable_number(value):
    """262000 → ``26.2万``, 398000000 → ``3.98亿``, 4.5 → ``4.5``: at most two decimals
    in 万/亿 (the exact figure is shown beside it on hover)."""
    value = Decimal(value)
    for size, word in ((Decimal(100000000), "亿"), (Decimal(10000), "万")):
        if abs(value) >= size:
            scaled = (value / size).quantize(Decimal("0.01"))
            return f"{scaled:f}".rstrip("0").rstrip(".") + word
    return format_number(value).replace(",", "")


def _comparator(row):
    return "" if row.comparator == EQUAL else f"{row.comparator} "


def exact_figure(row):
    """``≥ 20,000 人``: a row's value with every digit."""
    if row is None:
        return ""
    return f"{_comparator(row)}{format_number(row.value)} {row.unit}"


def readable_figure(row):
    """``≥ 20万人``, ``3.98亿元``: a row's value in the units a reader writes it in."""
    if row is None:
        return ""
    return f"{_comparator(row)}{readable_number(row.value)}{row.unit}"


def plain_value(value):
    """The value as the CSV writes it (``398000000``, ``3.5``): for ``<data value>``."""
    if value is None:
        return ""
    return format_number(value).replace(",", "")
