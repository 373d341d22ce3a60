"""Languages by URL: the public pages in Chinese at the root and in English under /en/.

A page's language is part of its address, so an English link can be shared and a search
engine sees both versions (``config.urls`` puts the public pages in ``i18n_patterns``
without a prefix for Chinese). The CSV and JSON files and the full download have one
address each and are the same for everyone (their links are the Chinese, unprefixed ones);
the admin keeps choosing its language from the ``django_language`` cookie, then
``Accept-Language``, as before. The language switch is a pair of links to the same page
and query in the other language (``language_urls``); ``/i18n/setlang/`` still answers old
forms by redirecting to the translated URL.
"""

import functools

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, Resolver404, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject


def _language_resolver():
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
            return pattern
    return None


def public_match(path):
    """The ResolverMatch of ``path`` (language prefix included) when it is a public page
    (one with a Chinese and an English address), else None."""
    resolver = _language_resolver()
    if resolver is None:
        return None
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            return resolver.resolve(path.removeprefix("/"))
        except Resolver404:
            return None


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, which gives the public pages the language of their URL
    and everything else the default one; the admin alone still negotiates."""

    def process_request(self, request):
        if request.path.startswith(_admin_prefix()):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
            return None
        return super().process_request(request)


@functools.cache
def _admin_prefix():
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("admin:index")


def page_urls(request):
    """This page's URL in each language, the query string kept: ``zh`` and ``en`` (paths:
    a page never names the host it was reached by). The home page of each language when
    the page has no address in the other one (the admin, a 404)."""
    match = public_match(request.path_info)
    query = request.GET.urlencode()
    urls = {"public": match is not None}  # only a public page has alternates to announce
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if match is None:
                url = reverse("home")
            else:
                url = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
                url = f"{url}?{query}" if query else url
        key = code.split("-")[0]  # zh-hans → zh: a name a template can read
        urls[key] = url
    return urls


def language_urls(request):
    """Context processor: ``language_urls`` (``page_urls``), worked out only if a template
    reads it."""
    return {"language_urls": SimpleLazyObject(lambda: page_urls(request))}
