"""The repetitive parts of the search page drawn in Python: facet lists, tile map, bar chart,
the result list.

The search page draws some 34 provinces, the instruments, years and kinds as facet links, 34
map tiles and up to a few hundred chart bars. Through the template engine that was about
3,000 variable lookups and a thousand number localisations per request, most of the page's
time once the counts were fast. These functions write the same HTML (byte for byte what
the partial templates ``_facet.html``, ``_province_map.html`` and ``_theme_year_chart.html``
wrote) as strings, every value escaped; the partials now call them through the tags in
``initiatives.templatetags.fragments``, so every page that includes them shares one drawing.
The result list (20 rows of links, regions, snippet, tags: about half of a search page's
time in the engine) is written the same way.

Numbers are written with ``str()``: the site does not group thousands and both languages use
``.`` as the decimal separator, so that is what the templates' localisation produced.
"""

import functools
import html

from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext


def escape(value):
    """What ``django.utils.html.escape`` writes, without its lazy-string and SafeString
    wrapping (some 800 calls per search page)."""
    return html.escape(str(value))


def region_links(paths):
    """Region breadcrumbs (``[[(code, name), …] per region]``, ``views.region_paths``) as
    links, ``；`` between regions: what ``_regions.html`` wrote, some 60 links per page."""
    return mark_safe(
        "；".join(
            '<span class="region-path">'
            + " › ".join(
                f'<a href="{_url(get_script_prefix(), "region_detail", code)}">{escape(name)}</a>'
                for code, name in path
            )
            + "</span>"
            for path in paths
        )
    )


@functools.lru_cache(maxsize=8192)  # every GB/T 2260 code, the instruments, documents
def _url(prefix, name, arg):
    """The escaped URL of a page with one argument (the script prefix is part of the key)."""
    return escape(reverse(name, args=[arg]))


def facet_list(items):
    """``<ul class="facet-list">`` of FacetValues (value, label, count, selected, url)."""
    selected_note = escape(gettext("（已选，点击取消）"))
    parts = ['<ul class="facet-list">\n']
    for item in items:
        if item.selected:
            attrs, tick = ' aria-current="true" class="selected"', "✓"
            note = f'<span class="visually-hidden">{selected_note}</span>'
        else:
            attrs = tick = note = ""
        parts.append(
            f'\n  <li><a href="{escape(item.url)}"{attrs}>\n'
            f'    <span class="box" aria-hidden="true">{tick}</span>\n'
            f'    <span class="label">{escape(item.label)}</span>\n'
            f'    <span class="count">{item.count}</span>\n'
            f"    {note}\n"
            "  </a></li>\n"
        )
    if not items:
        parts.append(f'\n  <li class="muted">{escape(gettext("无"))}</li>\n')
    parts.append("\n</ul>\n")
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)


def _initiatives_of(label, count):
    text = ngettext("%(name)s：%(counter)s 条举措", "%(name)s：%(counter)s 条举措", count)
    return text % {"name": escape(label), "counter": count}


def province_map(map, caption):
    """The tile map (``charts.ProvinceMap``) with its legend and table."""
    selected_note = escape(gettext("（已选，点击取消）"))
    size = map.tile_size
    parts = [
        '\n<figure class="chart province-map" aria-labelledby="map-caption">\n'
        f'  <figcaption id="map-caption">{escape(caption)}</figcaption>\n'
        f'  <svg class="tile-map" viewBox="0 0 {map.width} {map.height}" width="{map.width}"'
        f' height="{map.height}" role="group" aria-labelledby="map-caption">\n    '
    ]
    for tile in map.tiles:
        name = _initiatives_of(tile.label, tile.count)
        if tile.selected:
            css, note, current = " selected", selected_note, ' aria-current="true"'
        else:
            css = note = current = ""
        shade = tile.shade
        parts.append(
            f'\n    <a class="tile-link{css}" href="{escape(tile.url)}"'
            f' aria-label="{name}{note}"{current}>\n'
            f"      <title>{name}</title>\n"
            f'      <rect class="tile shade-{shade}" x="{tile.x}" y="{tile.y}" width="{size}"'
            f' height="{size}" rx="4"></rect>\n'
            f'      <text class="tile-name shade-{shade}" x="{tile.cx}" y="{tile.y + 22}"'
            f' text-anchor="middle">{escape(tile.label)}</text>\n'
            f'      <text class="tile-count shade-{shade}" x="{tile.cx}" y="{tile.y + 41}"'
            f' text-anchor="middle">{tile.count}</text>\n'
            "    </a>\n    "
        )
    parts.append(
        "\n  </svg>\n"
        f'  <ul class="chart-legend map-legend" aria-label="{escape(gettext("图例"))}">\n    '
    )
    for shade, low, high in map.legend:
        span = f"{low}" if low == high else f"{low}–{high}"
        parts.append(
            f'\n    <li><span class="swatch shade-{shade}" aria-hidden="true"></span>{span}</li>\n    '
        )
    parts.append(
        "\n  </ul>\n"
        '  <details class="chart-table">\n'
        f"    <summary>{escape(gettext('以表格查看各省数量'))}</summary>\n"
        '    <table class="data">\n'
        f'      <thead><tr><th scope="col">{escape(gettext("省份"))}</th>'
        f'<th scope="col" class="num">{escape(gettext("举措数"))}</th></tr></thead>\n'
        "      <tbody>\n      "
    )
    for tile in map.tiles_by_code:
        parts.append(
            f'<tr><th scope="row">{escape(tile.label)}</th><td class="num">{tile.count}</td></tr>\n      '
        )
    parts.append("\n      </tbody>\n    </table>\n  </details>\n</figure>\n")
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)


def theme_year_chart(chart, caption):
    """The grouped bar chart (``charts.ThemeYearChart``) with its legend and table."""
    parts = [
        '\n<figure class="chart theme-year" aria-labelledby="theme-year-caption">\n'
        f'  <figcaption id="theme-year-caption">{escape(caption)}</figcaption>\n  '
    ]
    if chart.empty:
        parts.append(
            f'\n  <p class="muted">{escape(gettext("没有带年份和主题的举措，无法作图。"))}</p>\n  '
        )
        parts.append("\n</figure>\n")
        return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)
    plot = chart.plot
    left, right, bottom = plot["left"], plot["right"], plot["bottom"]
    parts.append(
        f'\n  <svg class="bar-chart" viewBox="0 0 {chart.width} {chart.height}"'
        f' width="{chart.width}" height="{chart.height}" role="img"'
        ' aria-labelledby="theme-year-caption">\n    '
    )
    for y, value in chart.ticks:
        parts.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{y}" y2="{y}"></line>'
            f'<text class="tick" x="{left - 6}" y="{y}" dy="4" text-anchor="end">{value}</text>\n    '
        )
    parts.append("\n    ")
    for bar in chart.bars:
        parts.append(
            f'<rect class="bar {escape(bar.css)}" x="{bar.x}" y="{bar.y}" width="{bar.width}"'
            f' height="{bar.height}"><title>{escape(bar.title)}</title></rect>\n    '
        )
    parts.append(
        f'\n    <line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"></line>\n    '
    )
    for x, year in chart.year_labels:
        parts.append(
            f'<text class="tick" x="{x}" y="{bottom + 17}" text-anchor="middle">{year}</text>\n    '
        )
    parts.append(
        f'\n  </svg>\n  <ul class="chart-legend" aria-label="{escape(gettext("图例"))}">\n    '
    )
    for s in chart.series:
        parts.append(
            f'<li><span class="swatch {escape(s.css)}" aria-hidden="true"></span>'
            f"{escape(s.label)}</li>"
        )
    note = gettext("一条举措有几个主题，就在几个主题下各计一次；没有年份的举措不在图中。")
    parts.append(
        "\n  </ul>\n"
        f'  <p class="chart-note">{escape(note)}</p>\n'
        '  <details class="chart-table">\n'
        f"    <summary>{escape(gettext('以表格查看各年各主题数量'))}</summary>\n"
        '    <div class="table-scroll">\n'
        '    <table class="data">\n'
        f'      <thead><tr><th scope="col">{escape(gettext("年份"))}</th>'
    )
    for s in chart.series:
        parts.append(f'<th scope="col" class="num">{escape(s.label)}</th>')
    parts.append("</tr></thead>\n      <tbody>\n      ")
    for year, counts in chart.rows:
        cells = "".join(f'<td class="num">{n}</td>' for n in counts)
        parts.append(f'<tr><th scope="row">{year}</th>{cells}</tr>\n      ')
    parts.append("\n      </tbody>\n    </table>\n    </div>\n  </details>\n  \n</figure>\n")
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)


def result_list(results, start):
    """The search page's ``<ol class="result-list">``: one ``<li>`` per row of
    ``views.result_rows`` (with its ``snippet``)."""
    english = get_language() == "en"
    unreviewed = escape(gettext("未审核"))
    source = escape(gettext("出处："))
    prefix = get_script_prefix()
    parts = [f'<ol class="result-list" start="{start}">\n      ']
    for row in results:
        initiative = row["initiative"]
        document = initiative.document
        year = ""
        if initiative.year:
            # The document's year; the period in force beside it when it differs.
            period = initiative.period_text
            extra = f" ({period})" if period and period != str(initiative.year) else ""
            year = f'<span class="year">{initiative.year}{escape(extra)}</span>'
        badge = ""
        if initiative.status == "extracted":
            badge = f'<span class="badge unreviewed">{unreviewed}</span>'
        snippet = "".join(
            f"<mark>{escape(text)}</mark>" if hit else escape(text) for text, hit in row["snippet"]
        )
        themes = "".join(
            f'<span class="tag">{escape(theme.name_en if english else theme.name_zh)}</span>'
            for theme in row["themes"]
        )
        instruments = "".join(
            f'<a class="tag instrument" href="{_url(prefix, "instrument_detail", i.slug)}">'
            f"{escape(i.name)}</a>"
            for i in row["instruments"]
        )
        parts.append(
            '\n      <li class="result">\n'
            f'        <h3><a href="{escape(initiative.get_absolute_url())}">'
            f"{escape(initiative.title)}</a></h3>\n"
            '        <p class="meta">\n'
            f"          {region_links(row['regions'])}\n\n"
            f"          {year}\n"
            f"          {badge}\n"
            "        </p>\n"
            f'        <p class="snippet">{snippet}</p>\n'
            '        <p class="tags">\n'
            f"          {themes}\n"
            f"          {instruments}\n"
            "        </p>\n"
            f'        <p class="source">{source}'
            f'<a href="{_url(prefix, "document_detail", document.pk)}'
            f'?at={initiative.start}#i{initiative.pk}">'
            f"{escape(document.title)}</a></p>\n"
            "      </li>\n      "
        )
    parts.append("\n    </ol>")
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)
