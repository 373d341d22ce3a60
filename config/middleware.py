"""Middleware for running in production: request log, security headers, invalid characters,
database outages, admin login throttling.

Order (config/settings.py ``MIDDLEWARE``): ``RequestLogMiddleware`` first, so its timing and
status cover everything below it; Django's ``XFrameOptionsMiddleware`` next, so every
response below it carries the header (400 for a bad host, 429 from the throttle included);
``ContentSecurityPolicyMiddleware`` next to Django's ``SecurityMiddleware``;
``InvalidCharactersMiddleware`` before anything reads parameters;
``AdminLoginThrottleMiddleware`` before the CSRF check; ``DatabaseUnavailableMiddleware``
last, so its ``process_exception`` sees the view's error first.
"""

import hashlib
import itertools
import logging
import re
import time
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.auth.forms import UsernameField
from django.core.cache import caches
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse

request_log = logging.getLogger("requests")
error_log = logging.getLogger("config.errors")

DATABASE_ERRORS = (OperationalError, InterfaceError)

_UNPRINTABLE = re.compile(r"[\x00-\x20\x7f-\x9f\s]")


def _printable(text, limit=300):
    """A path for a log line: no spaces, control characters or line breaks (no forged lines)."""
    text = _UNPRINTABLE.sub(lambda m: f"%{ord(m.group()):02X}", text)
    return text if len(text) <= limit else text[:limit] + "…"


def logged_path(request):
    """The path and query as the user typed them (Chinese stays readable)."""
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return request.path
    try:  # WSGI hands the query string over as latin-1
        query = query.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        pass
    return f"{request.path}?{unquote_plus(query, errors='replace')}"


class RequestLogMiddleware:
    """One line per request on the ``requests`` logger: method, path, status, milliseconds.

    A streamed response (CSV export) is logged when its last byte has gone, with the bytes
    sent, so the time is the whole transfer, not only the time to the first row.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        path = _printable(logged_path(request))
        if response.streaming:
            response.streaming_content = self._logged_stream(
                response.streaming_content, request.method, path, response.status_code, started
            )
        else:
            self._log(request.method, path, response.status_code, started, len(response.content))
        return response

    def _logged_stream(self, chunks, method, path, status, started):
        sent = 0
        completed = False
        try:
            for chunk in chunks:
                sent += len(chunk)
                yield chunk
            completed = True
        finally:
            self._log(method, path, status, started, sent, "" if completed else " aborted")

    @staticmethod
    def _log(method, path, status, started, size, note=""):
        elapsed = (time.perf_counter() - started) * 1000
        request_log.info("%s %s %d %.1fms %dB%s", method, path, status, elapsed, size, note)


def _csp(policy):
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` on every response (Django 5.2 has none built in).

    The site's own pages get ``settings.CSP_POLICY``: no inline script or style at all.
    Paths under ``settings.CSP_RELAXED_PREFIXES`` (the admin: Django's change list and our
    admin change forms carry ``<style>`` blocks) get ``settings.CSP_RELAXED_POLICY``, which
    allows inline *styles* only; scripts stay ``'self'`` everywhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.strict = _csp(settings.CSP_POLICY)
        self.relaxed = _csp(settings.CSP_RELAXED_POLICY)
        self.prefixes = tuple(settings.CSP_RELAXED_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = self.prefixes and request.path.startswith(self.prefixes)
            response["Content-Security-Policy"] = self.relaxed if relaxed else self.strict
        return response


API_PREFIX = "/api/"


def is_api(request):
    return request is not None and request.path.startswith(API_PREFIX)


def json_error(status, message):
    """An API error body: ``{"error": …, "parameters": {}}``, as the API's own 400s."""
    return JsonResponse(
        {"error": message, "parameters": {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


# Characters no path of this site holds and no text column can store (PostgreSQL refuses
# NUL in text): C0 controls, DEL, and the surrogates an invalid escape decodes to.
INVALID_CHARACTERS = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


class InvalidCharactersMiddleware:
    """A path with control characters is a 404 before any view runs (a ``<path:>`` URL
    parameter would otherwise carry NUL into a query: a 500 on PostgreSQL). Under /admin/
    a parameter value with NUL (the autocomplete's ``term``, a change list's search) is a
    400; the public pages' filters drop such values themselves and say so on the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if INVALID_CHARACTERS.search(request.path):
            raise Http404("invalid characters in the path")
        if request.path.startswith("/admin/") and any(
            "\x00" in value for values in request.GET.lists() for value in values[1]
        ):
            return HttpResponseBadRequest("invalid characters in the request")
        return self.get_response(request)


def unavailable_response(request=None):
    """The 503 page: plain HTML from templates/503.html, no database needed to render it
    (a JSON body under /api/)."""
    if is_api(request):
        response = json_error(503, "the database is temporarily unavailable; retry later")
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A database that is down or dropped the connection mid-request gives a 503 page with
    ``Retry-After``, not a 500 or a traceback. The error goes to the log with its stack.

    Django closes a connection that raised (``errors_occurred``) at the end of the request,
    and ``CONN_HEALTH_CHECKS`` tests a reused one before the next request uses it, so the
    site answers again as soon as the database is back, without a restart.
    (Errors raised outside a view, e.g. by the session middleware, reach
    ``config.errors.server_error``, which answers the same 503.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming:
            # A streamed export runs its first query only when the server starts sending;
            # read that far now, so an outage is still a 503 and not a cut-off 200.
            chunks = iter(response.streaming_content)
            try:
                head = list(itertools.islice(chunks, 2))
            except DATABASE_ERRORS as exception:
                return self.process_exception(request, exception)
            response.streaming_content = itertools.chain(head, chunks)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            error_log.error(
                "database unavailable: %s %s",
                request.method,
                _printable(logged_path(request)),
                exc_info=exception,
            )
            return unavailable_response(request)
        return None


class AdminLoginThrottleMiddleware:
    """At most ``ADMIN_LOGIN_MAX_FAILURES`` failed admin logins per client address and
    user name, and ``ADMIN_LOGIN_MAX_FAILURES_PER_IP`` per address over all names, in
    ``ADMIN_LOGIN_WINDOW`` seconds; past that the login POST answers 429 with
    ``Retry-After`` without checking the password. Counts live in the ``throttle`` cache
    (settings.CACHES: a file cache shared by every worker process on the host).

    A failed login is a POST to the login URL that Django's admin answers with the form
    again (200); a successful one (redirect) clears the count for that address and name.
    The address is ``REMOTE_ADDR``: behind a reverse proxy, let the proxy set it (gunicorn
    ``--forwarded-allow-ips``), or the limit applies to all clients together.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._login_path = None

    @property
    def login_path(self):
        if self._login_path is None:
            self._login_path = reverse("admin:login")
        return self._login_path

    def __call__(self, request):
        if request.method != "POST" or request.path != self.login_path:
            return self.get_response(request)
        cache = caches[settings.ADMIN_LOGIN_THROTTLE_CACHE]
        address = request.META.get("REMOTE_ADDR", "")
        username = throttle_username(request.POST.get("username", ""))
        keys = (_key("ip-user", address, username), _key("ip", address))
        limits = (settings.ADMIN_LOGIN_MAX_FAILURES, settings.ADMIN_LOGIN_MAX_FAILURES_PER_IP)
        counts = cache.get_many(keys)
        if any(counts.get(key, 0) >= limit for key, limit in zip(keys, limits, strict=True)):
            error_log.warning("admin login throttled: %s %r", address, username[:40])
            return throttled_response()
        response = self.get_response(request)
        if response.status_code == 200:  # the form again: wrong user name or password
            for key in keys:
                cache.add(key, 0, timeout=settings.ADMIN_LOGIN_WINDOW)
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, timeout=settings.ADMIN_LOGIN_WINDOW)
        elif response.status_code in (301, 302, 303):
            cache.delete(keys[0])
        return response


def throttle_username(raw):
    """The user name the login form will look up (Django's ``UsernameField``: stripped,
    NFKC, so ``ａｄｍｉｎ`` is ``admin``), case-folded on top: every spelling of one account
    shares one count."""
    try:
        name = UsernameField().to_python(str(raw)[:1000]) or ""
    except Exception:  # a value the form itself would refuse counts as itself
        name = str(raw)
    return name.casefold()[:150]


def _key(kind, *parts):
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"admin-login:{kind}:{digest[:32]}"


def throttled_response():
    minutes = max(1, settings.ADMIN_LOGIN_WINDOW // 60)
    body = (
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
        "<title>登录尝试过多</title></head><body><h1>登录尝试过多</h1>"
        f"<p>失败次数过多，请 {minutes} 分钟后再试。</p>"
        f'<p lang="en">Too many failed logins; try again in {minutes} minutes.</p>'
        "</body></html>"
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(settings.ADMIN_LOGIN_WINDOW)
    response["Cache-Control"] = "no-store"
    return response
