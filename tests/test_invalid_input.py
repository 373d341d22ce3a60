"""Invalid characters in every URL pattern and admin parameter; the login throttle's user
name; JSON errors under /api/; ``X-Frame-Options`` on every response, errors included."""

import re
import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import OperationalError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from config.middleware import throttle_username
from tests.factories import make_initiative, make_target, make_user

pytestmark = pytest.mark.django_db

# Values a path parameter may be given: NUL and other controls (raw and among text), DEL,
# invalid UTF-8, an escaped surrogate, a 25-digit number, a non-ASCII digit.
HOSTILE = [
    "%00",
    "abc%00",
    "%00%00x",
    "a%01b",
    "%1f",
    "%7f",
    "%ff%fe",
    "%ED%A0%80",
    "9" * 25,
    "%C2%B2",
]
PARAMETER = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


def url_patterns(resolvers=None, prefix=""):
    """Every URL pattern of the site as a path template, its parameters marked ``{}``."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        pattern = str(entry.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, prefix + pattern)
        elif isinstance(entry, URLPattern):
            template = PARAMETER.sub("{}", prefix + pattern)
            if "(" not in template and "[" not in template:
                yield "/" + template


def hostile_paths():
    templates = sorted(set(url_patterns()))
    assert len(templates) > 30  # the site's pages, the API, the admin
    paths = []
    for template in templates:
        if "{}" in template:
            paths += [template.replace("{}", value) for value in HOSTILE]
        else:  # the control character in a fixed path: it names no page
            paths += [template.rstrip("/") + "%00/", template + "%01"]
    return paths


@pytest.fixture
def corpus():
    initiative = make_initiative(
        regions=("511100",), instruments=("创业担保贷款",), themes=("entrepreneurship",)
    )
    make_target(initiative=initiative, region="511100")


@pytest.mark.parametrize("who", ["anonymous", "superuser"])
def test_no_url_pattern_fails_on_invalid_characters(corpus, who):
    client = Client(raise_request_exception=False)
    if who == "superuser":
        client.force_login(make_user(superuser=True))
    failures = []
    for path in hostile_paths():
        status = client.get(path).status_code
        if status >= 500:
            failures.append((path, status))
        if "%00" in path or "%01" in path or "%1f" in path or "%7f" in path:
            if status not in (400, 404, 302):  # 302: the admin's login redirect
                failures.append((path, status))
    assert failures == []


def test_a_nul_in_an_indicator_path_is_a_404(corpus):
    response = Client().get("/indicators/%00/")
    assert response.status_code == 404
    assert "X-Frame-Options" in response


@pytest.mark.parametrize(
    "query",
    [
        "term=%00&app_label=initiatives&model_name=initiativeregion&field_name=region",
        "term=%E4%B9%90%00&app_label=initiatives&model_name=initiative&field_name=instruments",
    ],
)
def test_the_admin_autocomplete_refuses_nul(client, query):
    client.force_login(make_user(superuser=True))
    response = client.get("/admin/autocomplete/", QUERY_STRING=query)
    assert response.status_code == 400


def test_an_admin_search_with_nul_is_a_400_and_without_it_works(client, corpus):
    client.force_login(make_user(superuser=True))
    assert client.get("/admin/initiatives/initiative/?q=%00").status_code == 400
    assert client.get("/admin/initiatives/initiative/?q=%E4%B9%90").status_code == 200


# --- the login throttle counts one account once, however its name is typed --------------------


@pytest.fixture
def throttle_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"throttle-{uuid.uuid4()}",
        },
    }
    yield caches["throttle"]
    caches["throttle"].clear()


def login(client, username, password):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="203.0.113.9",
    )


def test_the_throttle_key_is_the_name_the_login_form_looks_up():
    assert throttle_username("ａｄｍｉｎ") == throttle_username("admin") == "admin"
    assert throttle_username(" Admin ") == "admin"
    assert throttle_username("ﬀ") == "ff"  # NFKC, as Django's UsernameField
    assert throttle_username("x" * 500) == "x" * 150


def test_full_width_and_plain_attempts_share_one_count(client, throttle_cache):
    make_user(username="admin", superuser=True)  # password "pw"
    names = ["admin", "ａｄｍｉｎ", "ADMIN", " admin", "ａｄｍｉｎ"]
    assert len(names) == settings.ADMIN_LOGIN_MAX_FAILURES
    for name in names:
        assert login(client, name, "guess").status_code == 200
    blocked = login(client, "admin", "pw")
    assert blocked.status_code == 429
    assert blocked["X-Frame-Options"] == "DENY"


# --- JSON errors under /api/ ---------------------------------------------------------------------


def test_the_api_answers_errors_in_json(corpus, monkeypatch):
    client = Client(raise_request_exception=False)
    missing = client.get("/api/initiatives/%ff")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert missing.json()["error"] == "not found"

    from initiatives.exports import views as export_views

    def gone(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(export_views, "initiative_values", gone)
    down = client.get("/api/initiatives")
    assert down.status_code == 503 and down["Retry-After"]
    assert down["Content-Type"] == "application/json"
    assert "unavailable" in down.json()["error"]

    monkeypatch.setattr(export_views, "initiative_values", lambda *a: 1 / 0)
    broken = client.get("/api/initiatives")
    assert broken.status_code == 500
    assert broken.json() == {"error": "internal error", "parameters": {}}
    # The site's pages keep their HTML error pages.
    page = client.get("/documents/999999/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


# --- X-Frame-Options on every response ---------------------------------------------------------


def test_every_error_response_carries_x_frame_options(corpus, monkeypatch):
    client = Client(raise_request_exception=False)
    responses = {
        "400 bad host": client.get("/", HTTP_HOST="evil.example"),
        "404": client.get("/documents/999999/"),
        "404 nul": client.get("/indicators/%00/"),
        "200": client.get("/"),
        "csv": client.get("/initiatives/export.csv"),
        "api 400": client.get("/api/initiatives?page=x"),
    }
    from initiatives import views

    monkeypatch.setattr(views, "_with_counts", lambda *a: 1 / 0)
    responses["500"] = client.get("/")

    def gone(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(views, "_with_counts", gone)
    responses["503"] = client.get("/")
    assert responses["400 bad host"].status_code == 400
    assert responses["500"].status_code == 500 and responses["503"].status_code == 503
    missing = {
        name: r.status_code for name, r in responses.items() if r.get("X-Frame-Options") != "DENY"
    }
    assert missing == {}
