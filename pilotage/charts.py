"""Charts drawn on the server as SVG: the same markup on the dashboards and in the PDFs.

No JavaScript; every text carries an explicit font family (WeasyPrint has no default for
SVG text); each chart is an image with a title and an accessible name, and the pages put
its figures in a table beside it.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape

from pilotage.indicators import format_value

FONT = "'Liberation Sans', 'DejaVu Sans', Arial, sans-serif"
WIDTH = 640
LABEL_WIDTH = 250
VALUE_WIDTH = 90
BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20
ROW = 26
TITLE_HEIGHT = 30
# Contrast of at least 3:1 against white for every fill (WCAG 1.4.11), text in #212529.
MAIN = "#1f5f9e"
COMPARE = "#8a6d00"
PALETTE = (
    "#1f5f9e",
    "#c0392b",
    "#2e7d32",
    "#8a6d00",
    "#6a1b9a",
    "#00796b",
    "#ad1457",
    "#5d4037",
    "#37474f",
    "#e65100",
)
TEXT = "#212529"
MAX_LABEL = 34


def _text(x, y, content, *, size=12, anchor="start", weight="normal", fill=TEXT) -> str:
    return (
        f'<text x="{x}" y="{y}" font-family="{FONT}" font-size="{size}" '
        f'font-weight="{weight}" text-anchor="{anchor}" fill="{fill}">{escape(content)}</text>'
    )


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _open(title: str, height: int, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" style="max-width:{WIDTH}px" role="img" '
        f'aria-label="{escape(title)}" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
        _text(0, 18, title, size=14, weight="bold"),
    ]


def _empty(title: str) -> str:
    parts = _open(title, TITLE_HEIGHT + 30, "Aucune donnée pour cette période.")
    parts.append(_text(0, TITLE_HEIGHT + 18, "Aucune donnée pour cette période.", size=12))
    parts.append("</svg>")
    return "".join(parts)


def _width(value, top) -> float:
    if not top or not value or value <= 0:
        return 0.0
    return round(float(Decimal(value) / Decimal(top)) * BAR_AREA, 1)


def bar_chart(
    title: str,
    series: list[tuple[str, Decimal | int]],
    *,
    unit: str,
    compare: list[tuple[str, Decimal | int]] | None = None,
    names: tuple[str, str] = ("Période", "Comparaison"),
) -> str:
    """Horizontal bars, one per label; with `compare`, a thinner second bar under each
    (matched by label) and a legend naming both series after `names`."""
    if not series:
        return _empty(title)
    compared = dict(compare or [])
    values = [value or 0 for _, value in series] + [value or 0 for value in compared.values()]
    top = max(values, default=0)
    legend = 22 if compare is not None else 0
    row = ROW + (12 if compare is not None else 0)
    height = TITLE_HEIGHT + legend + row * len(series) + 6
    described = "; ".join(f"{label} : {format_value(value, unit)}" for label, value in series)
    parts = _open(title, height, described)
    y = TITLE_HEIGHT
    if compare is not None:
        parts.append(f'<rect x="0" y="{y}" width="12" height="12" fill="{MAIN}"/>')
        parts.append(_text(18, y + 11, names[0], size=11))
        parts.append(f'<rect x="200" y="{y + 4}" width="12" height="6" fill="{COMPARE}"/>')
        parts.append(_text(218, y + 11, names[1], size=11))
        y += legend
    for label, value in series:
        parts.append(_text(LABEL_WIDTH - 8, y + 15, _short(label), size=12, anchor="end"))
        width = _width(value, top)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width}" height="16" fill="{MAIN}"/>'
        )
        parts.append(_text(LABEL_WIDTH + width + 6, y + 15, format_value(value, unit), size=12))
        if compare is not None:
            other = compared.get(label)
            other_width = _width(other, top)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 21}" width="{other_width}" height="8" '
                f'fill="{COMPARE}"/>'
            )
            parts.append(
                _text(LABEL_WIDTH + other_width + 6, y + 29, format_value(other, unit), size=10)
            )
        y += row
    parts.append("</svg>")
    return "".join(parts)


def shares(series: list[tuple[str, Decimal | int]]) -> list[tuple[str, Decimal | int, Decimal]]:
    """(label, value, share of the total in %, one place) for each positive value."""
    positive = [(label, value) for label, value in series if value and value > 0]
    total = sum((Decimal(value) for _, value in positive), Decimal(0))
    if not total:
        return []
    return [
        (
            label,
            value,
            (Decimal(value) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP),
        )
        for label, value in positive
    ]


def share_chart(title: str, series: list[tuple[str, Decimal | int]]) -> str:
    """Shares of a total: one horizontal stacked bar, then a legend line per part."""
    parts_of = shares(series)
    if not parts_of:
        return _empty(title)
    bar_y, bar_height = TITLE_HEIGHT, 28
    legend_top = bar_y + bar_height + 14
    height = legend_top + 20 * len(parts_of) + 4
    described = "; ".join(
        f"{label} : {format_value(share, 'percent')}" for label, _, share in parts_of
    )
    parts = _open(title, height, described)
    x = 0.0
    for index, (_, _, share) in enumerate(parts_of):
        width = round(float(share) / 100 * WIDTH, 1)
        if index == len(parts_of) - 1:
            width = round(WIDTH - x, 1)
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{bar_y}" width="{max(width, 0)}" height="{bar_height}" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
        )
        x += width
    for index, (label, _, share) in enumerate(parts_of):
        y = legend_top + 20 * index
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="0" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(18, y + 11, f"{label} : {format_value(share, 'percent')}", size=12))
    parts.append("</svg>")
    return "".join(parts)
