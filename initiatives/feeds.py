"""Atom feeds: follow a search.

``/initiatives/feed/?<the search page's parameters>`` lists the initiatives that search finds,
the most recently added to the knowledge base first, each entry linking to its initiative
page. A feed reader polls it and shows what is new. The filter set is the search page's
(and the CSV's), so the feed holds what the page holds.

A feed is read by a program that shows no notices: a parameter the page would ignore and
mention is refused here with a 400 saying which one, so a mistyped subscription fails at
once instead of quietly following a wider search.
"""

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from initiatives.search.facets import active_chips, without
from initiatives.search.filters import InitiativeFilter

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
        # Newest in the knowledge base first: what a follower has not seen yet.
        return (
            filter_set.filtered().select_related("document").order_by("-created", "-pk")[:FEED_SIZE]
        )

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


@require_GET
def initiative_feed(request):
    filter_set = InitiativeFilter(request.GET)
    filter_set.cleaned()  # validates: the rejected values are known from here on
    problems = filter_set.rejected_notices()
    # Errors the page passes over without a notice (a NUL byte in q) are refused too.
    problems += [
        _("参数无效：%(param)s") % {"param": name}
        for name in filter_set.form.errors
        if name not in ("year_min", "year_max", "in_force", "sort")
    ]
    if problems:
        return HttpResponseBadRequest(
            "\n".join(problems) + "\n", content_type="text/plain; charset=utf-8"
        )
    return InitiativeFeed()(request, filter_set=filter_set)
