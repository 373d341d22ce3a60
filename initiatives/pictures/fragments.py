"""The repetitive parts of the public pages: facet lists, region links, tile map, bar chart and
the search page's result list.

Their HTML lives in Jinja2 templates (``templates/jinja2/initiatives/``), drawn through the
tags in ``initiatives.templatetags.fragments`` so that the Django templates of every page
share one drawing. A search page draws some 34 provinces, the instruments, years and kinds as
facet links, 34 map tiles, up to a few hundred chart bars and 20 result rows: through the
Django template language that was about 3,000 variable lookups per request, most of the
page's time once the counts were fast. Jinja2 compiles each template to Python once: about
3 ms of CPU per search page instead of 17 ms, every value escaped by the engine (MarkupSafe
writes quotes as ``&#34;``/``&#39;`` where Django writes ``&quot;``/``&#x27;``: the same text).

The functions here only say *what* to draw (which template, with which data); the templates
say how.
"""

import functools

import jinja2
from django.template import engines
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext


def environment(**options):
    """The Jinja2 environment of the ``jinja2`` template engine (``config.settings``)."""
    env = jinja2.Environment(
        # A template's last newline is part of its output, as in Django's templates.
        keep_trailing_newline=True,
        **options,
    )
    env.globals.update(_=gettext, url=url, initiatives_of=initiatives_of)
    return env


@functools.lru_cache(maxsize=8192)  # every GB/T 2260 code, the instruments, documents
def _reverse(prefix, language, name, arg):
    return reverse(name, args=[arg])


def url(name, arg):
    """The URL of a page with one argument, e.g. ``url("region_detail", code)``: some 60 per
    search page, so cached (the script prefix and the language, /en/…, are part of the key)."""
    return _reverse(get_script_prefix(), get_language(), name, arg)


def initiatives_of(name, count):
    """ "广东省：12 条举措": a map tile's accessible name."""
    text = ngettext("%(name)s：%(counter)s 条举措", "%(name)s：%(counter)s 条举措", count)
    return text % {"name": name, "counter": count}


def _render(template_name, context):
    template = engines["jinja2"].env.get_template(template_name)
    return mark_safe(template.render(context))  # Jinja2 escaped every value


def facet_list(items):
    """``<ul class="facet-list">`` of FacetValues (value, label, count, selected, url)."""
    return _render("initiatives/facet_list.html", {"items": items})


def region_links(regions):
    """Region breadcrumbs (``[[(code, name), …] per region]``, ``views.region_paths``)."""
    return _render("initiatives/region_links.html", {"regions": regions})


def province_map(map, caption):
    """The tile map (``charts.ProvinceMap``) with its legend and table."""
    return _render("initiatives/province_map.html", {"map": map, "caption": caption})


def theme_year_chart(chart, caption):
    """The grouped bar chart (``charts.ThemeYearChart``) with its legend and table."""
    return _render("initiatives/theme_year_chart.html", {"chart": chart, "caption": caption})


def result_list(results, start):
    """The search page's ``<ol class="result-list">``: rows of ``views.result_rows``."""
    return _render(
        "initiatives/result_list.html",
        {"results": results, "start": start, "english": get_language() == "en"},
    )
