"""Server-rendered pictures: the province tile map, the theme × year chart, target vs achieved.

Each function turns numbers the pages already have (facet values, GROUP BY cells, Target rows)
into plain objects holding SVG geometry; the templates only draw them. There is no charting
library and no script: the SVG is in the HTML, and every picture has a table of its numbers.

The map is a tile grid, one equal square per province-level unit at its approximate place:
it needs no boundary data and cannot misdraw a border (maps published in China must follow
the official standard map; a grid of squares makes no claim about borders).
"""

from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal
from math import ceil, floor, log10

from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from initiatives.models import Initiative, Target
from initiatives.models.figures import exact_figure as _figure
from initiatives.models.figures import format_number, readable_figure
from regions.gazetteer import gazetteer

# (column, row) of each province-level unit on the tile map, north-west at (0, 0).
PROVINCE_GRID = {
    "230000": (6, 0),  # 黑龙江
    "150000": (3, 1),  # 内蒙古
    "110000": (4, 1),  # 北京
    "220000": (6, 1),  # 吉林
    "650000": (0, 2),  # 新疆
    "620000": (1, 2),  # 甘肃
    "640000": (2, 2),  # 宁夏
    "140000": (3, 2),  # 山西
    "130000": (4, 2),  # 河北
    "120000": (5, 2),  # 天津
    "210000": (6, 2),  # 辽宁
    "540000": (0, 3),  # 西藏
    "630000": (1, 3),  # 青海
    "610000": (2, 3),  # 陕西
    "410000": (3, 3),  # 河南
    "370000": (4, 3),  # 山东
    "510000": (1, 4),  # 四川
    "500000": (2, 4),  # 重庆
    "420000": (3, 4),  # 湖北
    "340000": (4, 4),  # 安徽
    "320000": (5, 4),  # 江苏
    "310000": (6, 4),  # 上海
    "530000": (1, 5),  # 云南
    "520000": (2, 5),  # 贵州
    "430000": (3, 5),  # 湖南
    "360000": (4, 5),  # 江西
    "330000": (5, 5),  # 浙江
    "450000": (2, 6),  # 广西
    "440000": (3, 6),  # 广东
    "350000": (4, 6),  # 福建
    "710000": (5, 6),  # 台湾
    "460000": (2, 7),  # 海南
    "820000": (3, 7),  # 澳门
    "810000": (4, 7),  # 香港
}
TILE, GAP = 52, 4
SHADES = 4  # non-zero classes; class 0 is "none"


@dataclass
class Tile:
    code: str
    label: str
    count: int
    selected: bool
    url: str
    x: int
    y: int
    shade: int = 0

    @property
    def cx(self):
        return self.x + TILE // 2


@dataclass
class ProvinceMap:
    tiles: list
    legend: list  # (shade, low, high)
    width: int
    height: int
    tile_size: int = TILE

    @property
    def tiles_by_code(self):
        """The tiles in code order, for the table under the map."""
        return sorted(self.tiles, key=lambda tile: tile.code)


def province_map(province_facet, base_url=""):
    """The tile map drawn from the province facet: the same counts, the same toggle links.

    ``province_facet`` is ``facets.province_facet(filter_set)``; ``base_url`` is put before
    each facet link (the search page's path when the map sits on another page).
    """
    by_code = {value.value: value for value in province_facet}
    places = gazetteer()
    tiles = []
    for code, (col, row) in PROVINCE_GRID.items():
        value = by_code.get(code)
        place = places.get(code)
        label = place.display_short_name if place else code
        tiles.append(
            Tile(
                code=code,
                label=label,
                count=value.count if value else 0,
                selected=bool(value and value.selected),
                url=base_url + (value.url if value else f"?province={code}"),
                x=col * (TILE + GAP),
                y=row * (TILE + GAP),
            )
        )
    legend = shade_by_quantiles(tiles)
    columns = 1 + max(col for col, _ in PROVINCE_GRID.values())
    rows = 1 + max(row for _, row in PROVINCE_GRID.values())
    return ProvinceMap(
        tiles=tiles,
        legend=legend,
        width=columns * (TILE + GAP) - GAP,
        height=rows * (TILE + GAP) - GAP,
    )


def shade_by_quantiles(items, classes=SHADES):
    """Set ``item.shade``: 0 for a zero count, else 1…classes by the quantile of its count
    among the distinct non-zero counts. Returns the legend ``[(shade, lowest, highest)…]``.

    Quantiles of the distinct values, not of the tiles: most provinces share a handful of
    small counts, and tile quantiles would leave classes empty and lump the rest together.
    """
    counts = sorted({item.count for item in items if item.count > 0})
    for item in items:
        if item.count > 0:
            item.shade = 1 + bisect_left(counts, item.count) * classes // len(counts)
        else:
            item.shade = 0
    legend = [(0, 0, 0)]
    for shade in range(1, classes + 1):
        members = [item.count for item in items if item.shade == shade]
        if members:
            legend.append((shade, min(members), max(members)))
    return legend


# Theme × year ---------------------------------------------------------------------------

SERIES = 8  # colour classes series-0 … series-7, cycled over the themes' order
CHART_WIDTH, CHART_HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 8, 12, 26
MAX_BAR = 28


def theme_year_cells(queryset):
    """``{(theme_id, year): n}``: initiatives of ``queryset`` per theme and year.

    One GROUP BY over the theme links of the matching initiatives. An initiative counts once
    under each of its themes; those without a year or a theme are not in any cell.
    """
    through = Initiative.themes.through
    rows = (
        through.objects.filter(
            initiative_id__in=queryset.order_by().values("pk"), initiative__year__isnull=False
        )
        .values_list("theme_id", "initiative__year")
        .annotate(n=Count("initiative_id"))
        .order_by()
    )
    return {(theme_id, year): n for theme_id, year, n in rows}


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Series:
    key: str
    label: str
    css: str


@dataclass
class ThemeYearChart:
    series: list  # the themes with at least one initiative
    years: list
    bars: list
    ticks: list  # (y position, value)
    year_labels: list  # (x centre, year)
    rows: list  # (year, [count per series]) for the table
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    plot: dict = field(default_factory=dict)

    @property
    def empty(self):
        return not self.bars


def theme_year_chart(cells, themes):
    """Grouped bars: one group per year, one bar per theme with a non-zero count.

    ``themes`` is every Theme in display order (colour classes follow that order, so a theme
    keeps its colour on every page); only themes with initiatives are drawn.
    """
    english = get_language() == "en"
    colour = {theme.pk: f"series-{n % SERIES}" for n, theme in enumerate(themes)}
    shown = [t for t in themes if any(n for (tid, _), n in cells.items() if tid == t.pk)]
    series = [Series(t.key, t.name_en if english else t.name_zh, colour[t.pk]) for t in shown]
    present = sorted({year for (_, year), n in cells.items() if n})
    if not present or not shown:
        return ThemeYearChart(series=[], years=[], bars=[], ticks=[], year_labels=[], rows=[])
    # A continuous axis shows the quiet years too, unless that would squeeze the bars.
    span = list(range(present[0], present[-1] + 1))
    years = span if len(span) <= 25 else present
    top_value = max(cells.values())
    ticks, top = nice_ticks(top_value)

    left, right = MARGIN_LEFT, CHART_WIDTH - MARGIN_RIGHT
    bottom = CHART_HEIGHT - MARGIN_BOTTOM
    plot_height = bottom - MARGIN_TOP
    group = (right - left) / len(years)
    # Bars never wider than MAX_BAR: one year of five themes should not fill the page.
    bar_width = min(group * 0.8 / len(shown), MAX_BAR)
    inset = (group - bar_width * len(shown)) / 2
    bars = []
    for i, year in enumerate(years):
        for j, theme in enumerate(shown):
            n = cells.get((theme.pk, year), 0)
            if not n:
                continue
            height = n / top * plot_height
            bars.append(
                Bar(
                    x=round(left + i * group + inset + j * bar_width, 1),
                    y=round(bottom - height, 1),
                    width=round(max(bar_width - 1, 1), 1),
                    height=round(height, 1),
                    css=colour[theme.pk],
                    title=f"{year} · {series[j].label}：{n}",
                )
            )
    every = max(1, ceil(34 / group))  # a year label needs about 34 units
    year_labels = [
        (round(left + (i + 0.5) * group, 1), year) for i, year in enumerate(years) if i % every == 0
    ]
    tick_marks = [(round(bottom - value / top * plot_height, 1), value) for value in ticks]
    rows = [(year, [cells.get((t.pk, year), 0) for t in shown]) for year in years]
    return ThemeYearChart(
        series=series,
        years=years,
        bars=bars,
        ticks=tick_marks,
        year_labels=year_labels,
        rows=rows,
        plot={"left": left, "right": right, "top": MARGIN_TOP, "bottom": bottom},
    )


def nice_ticks(maximum, most=5):
    """Axis values 0, step, 2·step … up to at least ``maximum``, step 1, 2 or 5 × 10ⁿ."""
    maximum = max(maximum, 1)
    raw = maximum / most
    magnitude = 10 ** floor(log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    top = ceil(maximum / step) * step
    return list(range(0, top + 1, step)), top


# Targets versus achieved ----------------------------------------------------------------

BAR_WIDTH = 220


@dataclass
class TargetPair:
    """A target and the achieved figure reported for it; either side may be missing."""

    target: Target | None
    achieved: Target | None
    path: list = field(default_factory=list)  # [(code, name)…] of the region
    bars: list = field(default_factory=list)

    @property
    def first(self):
        return self.target or self.achieved

    @property
    def indicator(self):
        return self.first.indicator

    @property
    def unit(self):
        return self.first.unit

    @property
    def region_id(self):
        return self.first.region_id

    @property
    def year(self):
        return self.first.year

    @property
    def year_end(self):
        return self.first.year_end

    @property
    def target_period(self):
        return _period_label(self.target)

    @property
    def achieved_period(self):
        return _period_label(self.achieved)

    @property
    def rows(self):
        return [t for t in (self.target, self.achieved) if t is not None]

    @property
    def largest(self):
        return max(t.value for t in self.rows)

    @property
    def percent(self):
        """Achieved as a share of the target (``101.6``), when both exist and it means something."""
        if self.target is None or self.achieved is None or self.target.value <= 0:
            return None
        return (self.achieved.value / self.target.value * 100).quantize(Decimal("0.1"))

    @property
    def target_text(self):
        return _figure(self.target)

    @property
    def achieved_text(self):
        return _figure(self.achieved)

    @property
    def target_readable(self):
        return readable_figure(self.target)

    @property
    def achieved_readable(self):
        return readable_figure(self.achieved)

    @property
    def met(self):
        if self.target is None or self.achieved is None:
            return None
        if self.target.comparator in (Target.Comparator.LT, Target.Comparator.LE):
            return self.achieved.value <= self.target.value
        return self.achieved.value >= self.target.value


def pair_targets(targets):
    """Pair each target with an achieved row of the same indicator, unit and region that
    reports on the same period; whatever stays unpaired is shown alone, without a rate.

    Same period means the same years covered (a 十三五 total never completes a 十四五 goal,
    a five-year total is not one year's result); a recurring yearly goal (每年…, period
    type annual over a plan's years) pairs with the latest one-year result inside its
    years. Each achieved row pairs with one target at most. Ordered by indicator, region,
    year.
    """
    targets = list(targets)
    achieved = {}
    for row in targets:
        if row.kind == Target.Kind.ACHIEVED:
            achieved.setdefault(_key(row), []).append(row)
    used, pairs = set(), []
    for row in sorted(targets, key=_order):
        if row.kind != Target.Kind.TARGET:
            continue
        candidates = [a for a in achieved.get(_key(row), []) if a.pk not in used]
        match = _best_match(row, candidates)
        if match is not None:
            used.add(match.pk)
        pairs.append(TargetPair(row, match))
    pairs += [
        TargetPair(None, row)
        for row in targets
        if row.kind == Target.Kind.ACHIEVED and row.pk not in used
    ]
    pairs.sort(key=lambda p: _order(p.first))
    gaz = gazetteer()
    for pair in pairs:
        pair.path = gaz.display_path(pair.region_id) if pair.region_id else []
    return pairs


def _key(row):
    # Linked rows compare by canonical indicator (城镇新增就业人数 is 城镇新增就业).
    return (row.canonical_indicator_id or row.indicator, row.unit, row.region_id)


def _order(row):
    return (row.indicator, row.region_id or "", row.year or 0, row.year_end or 0, row.pk)


def _span(row):
    """The years a row covers: its period, else its one year."""
    if row.year_start is not None:
        return row.year_start, row.year_end
    return row.year, row.year


def _compatible(a, b):
    # An unknown period type (older or hand-made rows) is taken at its years' word.
    return not a.period_type or not b.period_type or a.period_type == b.period_type


def _best_match(target, candidates):
    same = [
        a
        for a in candidates
        if a.year == target.year
        and _span(a) == _span(target)
        and _compatible(a, target)
        and target.year is not None
    ]
    if same:
        return same[0]
    recurring = target.period_type == Target.PeriodType.ANNUAL and target.year_start is not None
    if recurring:
        inside = [
            a
            for a in candidates
            if a.year_start is None
            and a.year is not None
            and target.year_start <= a.year <= target.year_end
            and a.period_type in ("", Target.PeriodType.ANNUAL)
        ]
        if inside:
            return max(inside, key=lambda a: (a.year, a.pk))
    return None


def _period_label(row):
    """``2021–2025 累计``, ``2021–2025 每年``, ``2017``: the years beside a figure."""
    if row is None:
        return ""
    text = row.period_text
    if row.year_start is not None and row.period_type == Target.PeriodType.ANNUAL:
        return _("%(period)s 每年") % {"period": text}
    if row.year_start is not None and row.period_type == Target.PeriodType.CUMULATIVE:
        return _("%(period)s 累计") % {"period": text}
    return text


def draw_pairs(pairs, scale=None):
    """Give each pair its bars: target above, achieved below, one bar per row.

    ``scale`` is the value drawn full width; by default each pair is scaled to its own larger
    figure (indicators differ in unit and size). The indicator page passes one scale per unit
    so the regions can be compared.
    """
    for pair in pairs:
        full = scale if scale is not None else pair.largest
        pair.bars = []
        for n, (row, css) in enumerate(((pair.target, "bar-target"), (pair.achieved, "bar-done"))):
            if row is None:
                continue
            width = float(row.value / full * BAR_WIDTH) if full > 0 else 0
            pair.bars.append(
                Bar(
                    x=0,
                    y=2 + n * 12,
                    width=round(max(width, 0), 1),
                    height=10,
                    css=css,
                    title=f"{row.get_kind_display()} {format_number(row.value)} {row.unit}",
                )
            )
    return pairs


def by_unit(pairs):
    """``[(unit, pairs)…]`` with one shared bar scale per unit, largest figures first."""
    groups = {}
    for pair in pairs:
        groups.setdefault(pair.unit, []).append(pair)
    result = []
    for unit, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        members.sort(key=lambda p: (-p.largest, p.region_id or "", p.year or 0))
        draw_pairs(members, scale=max(p.largest for p in members))
        result.append((unit, members))
    return result
