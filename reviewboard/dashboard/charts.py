"""Bar charts as inline SVG: no script, no network. Each chart names itself with <title> and
<desc> for screen readers; the page shows the same numbers in a table next to it."""

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 170
PLOT_WIDTH = 420
VALUE_WIDTH = 70
SERIES_COLOURS = ("#0b5394", "#e69138")


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[float, ...]
    texts: tuple[str, ...]


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[Bar], series: tuple[str, ...]) -> SafeString:
    """Return a horizontal bar chart; each bar may carry one value per series."""
    peak = max((v for bar in bars for v in bar.values if v), default=0) or 1
    per_group = len(series) * (BAR_HEIGHT + 2) + BAR_GAP
    legend_height = 22 if len(series) > 1 else 0
    height = legend_height + max(len(bars), 1) * per_group + BAR_GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = [
        format_html(
            '<svg class="chart" id="{0}" role="img" aria-labelledby="{0}-title {0}-desc" '
            'viewBox="0 0 {1} {2}" width="100%" preserveAspectRatio="xMinYMin meet" '
            'xmlns="http://www.w3.org/2000/svg">'
            '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>',
            chart_id,
            width,
            height,
            title,
            description,
        )
    ]
    if legend_height:
        for index, name in enumerate(series):
            x = LABEL_WIDTH + index * 160
            parts.append(
                format_html(
                    '<rect x="{}" y="4" width="12" height="12" fill="{}"></rect>'
                    '<text x="{}" y="15" font-size="12">{}</text>',
                    x,
                    SERIES_COLOURS[index % len(SERIES_COLOURS)],
                    x + 18,
                    name,
                )
            )
    if not bars:
        parts.append(
            format_html('<text x="0" y="{}" font-size="13">No data in this period.</text>', legend_height + 16)
        )
    for row, bar in enumerate(bars):
        top = legend_height + row * per_group + BAR_GAP
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>',
                LABEL_WIDTH - 8,
                top + BAR_HEIGHT - 5,
                bar.label,
            )
        )
        for index, (value, text) in enumerate(zip(bar.values, bar.texts, strict=True)):
            y = top + index * (BAR_HEIGHT + 2)
            length = round(PLOT_WIDTH * (value or 0) / peak, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} {}</title></rect>'
                    '<text x="{}" y="{}" font-size="12">{}</text>',
                    LABEL_WIDTH,
                    y,
                    length,
                    BAR_HEIGHT,
                    SERIES_COLOURS[index % len(SERIES_COLOURS)],
                    bar.label,
                    series[index],
                    text,
                    LABEL_WIDTH + length + 4,
                    y + BAR_HEIGHT - 5,
                    text,
                )
            )
    parts.append(mark_safe("</svg>"))  # noqa: S308
    # Every part came from format_html, which escaped the labels.
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308
