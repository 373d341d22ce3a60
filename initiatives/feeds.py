"""Atom feeds: follow a search.

``/initiatives/feed/?<the search page's parameters>`` lists the initiatives that search finds,
the most recently added to the knowledge base first, each entry linking to its initiative
page. A feed reader polls it and shows what is new. The filter set is the search page's
(and the CSV's), so the feed holds what the page holds.

Region, instrument and indicator pages have their own feeds (``/regions/<code>/feed/``,
``/instruments/<slug>/feed/``, ``/indicators/<label>/feed/``): the initiatives of the region
and the places below it (the region page's list), of the instrument, and those that set or
report a figure on the indicator, newest first in the same form.

A feed is read by a program that shows no notices: a parameter the page would ignore and
mention is refused here with a 400 saying which one, so a mistyped subscription fails at
once instead of quietly following a wider search.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from initiatives.models import Initiative, PolicyInstrument, Target
from initiatives.search.facets import active_chips, without
from initiatives.search.filters import InitiativeFilter
from regions.models import Region

FEED_SIZE = 50
SUMMARY_LENGTH = 300


class InitiativeFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, filter_set):
        return filter_set

    def title(self, filter_set):
        described = "，".join(chip.label for chip in active_chips(filter_set))
        if not described:
            return _("地方就业举措：全部")
        return _("地方就业举措：%(filters)s") % {"filters": described}

    def subtitle(self, filter_set):
        return _("按检索条件订阅的举措，最新收录的在前")

    def link(self, filter_set):
        return reverse("initiative_list") + without(filter_set.data)

    def feed_url(self, filter_set):
        return reverse("initiative_feed") + without(filter_set.data)

    def items(self, filter_set):
        return newest(filter_set.filtered())

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        text = item.text
        return text if len(text) <= SUMMARY_LENGTH else text[:SUMMARY_LENGTH] + "…"

    def item_link(self, item):
        return reverse("initiative_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.created

    def item_updateddate(self, item):
        return item.updated

    def item_categories(self, item):
        return [str(item.document.get_kind_display())]


def newest(initiatives):
    # Newest in the knowledge base first: what a follower has not seen yet.
    return initiatives.select_related("document").order_by("-created", "-pk")[:FEED_SIZE]


@dataclass
class Scope:
    """What a region, instrument or indicator feed follows: its title, its page, its own
    address and its initiatives."""

    title: str
    link: str
    feed_url: str
    initiatives: QuerySet


class ScopedFeed(InitiativeFeed):
    def get_object(self, request, scope):
        return scope

    def title(self, scope):
        return _("地方就业举措：%(filters)s") % {"filters": scope.title}

    def subtitle(self, scope):
        return _("最新收录的举措在前")

    def link(self, scope):
        return scope.link

    def feed_url(self, scope):
        return scope.feed_url

    def items(self, scope):
        return newest(scope.initiatives)


def _scoped(data):
    """The visible initiatives the search page finds for ``data`` (one fixed scope)."""
    return InitiativeFilter(QueryDict(data)).filtered()


@require_GET
def region_feed(request, code):
    """The region page's initiatives: the region and every place below it, under the
    region page's filters (its parameters: ``q``, ``theme``, ``year``… as on the search
    page; the place is the page's own, so ``province`` and ``region`` are refused)."""
    region = get_object_or_404(Region, code=code)
    own = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if name not in ("page", "sort"):
            own.setlist(name, values)
    scope_data = own.copy()
    if region.level != Region.Level.NATIONAL:
        scope_data.setlist("region", [region.code])
    filter_set = InitiativeFilter(scope_data)
    problems = _problems(filter_set)
    problems += [
        _("参数无效：%(param)s") % {"param": name} for name in ("province", "region") if name in own
    ]
    if problems:
        return _refused(problems)
    title, query = region.display_name, ""
    if own:
        # The filters named as the page's chips name them (the place is in the title).
        described = [chip.label for chip in active_chips(InitiativeFilter(own))]
        title = "，".join([region.display_name, *described])
        query = without(own)
    scope = Scope(
        title,
        region.get_absolute_url() + query,
        reverse("region_feed", args=[region.code]) + query,
        filter_set.filtered(),
    )
    return ScopedFeed()(request, scope=scope)


@require_GET
def instrument_feed(request, slug):
    instrument = get_object_or_404(PolicyInstrument, slug=slug)
    scope = Scope(
        instrument.display_name,
        instrument.get_absolute_url(),
        reverse("instrument_feed", args=[instrument.slug]),
        _scoped(f"instrument={instrument.slug}"),
    )
    return ScopedFeed()(request, scope=scope)


@require_GET
def indicator_feed(request, indicator):
    """Initiatives with a visible target or result labelled ``indicator`` (the indicator
    page's rows, read from the initiatives they belong to)."""
    targets = Target.objects.visible().filter(indicator=indicator)
    if not targets.exists():
        raise Http404
    scope = Scope(
        indicator,
        reverse("indicator_detail", args=[indicator]),
        reverse("indicator_feed", args=[indicator]),
        Initiative.objects.visible().filter(pk__in=targets.values("initiative_id")),
    )
    return ScopedFeed()(request, scope=scope)


@require_GET
def initiative_feed(request):
    filter_set = InitiativeFilter(request.GET)
    problems = _problems(filter_set)
    if problems:
        return _refused(problems)
    return InitiativeFeed()(request, filter_set=filter_set)


def _problems(filter_set):
    """What the page would ignore and mention: a feed refuses it."""
    filter_set.cleaned()  # validates: the rejected values are known from here on
    problems = filter_set.rejected_notices()
    # Errors the page passes over without a notice (a NUL byte in q) are refused too.
    problems += [
        _("参数无效：%(param)s") % {"param": name}
        for name in filter_set.form.errors
        if name not in ("year_min", "year_max", "in_force", "sort")
    ]
    return problems


def _refused(problems):
    return HttpResponseBadRequest(
        "\n".join(problems) + "\n", content_type="text/plain; charset=utf-8"
    )
