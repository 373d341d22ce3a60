"""Production security: deploy checks, headers on real responses, no inline code in our
templates, the admin login throttle, error pages that show no trace, the request log."""

import logging
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from tests.factories import make_initiative, make_user

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = BASE_DIR / "templates"

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
ADMIN_CSP = STRICT_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="kb.example.gov.cn",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- deploy checks ---------------------------------------------------------------------------


def test_check_deploy_is_clean_in_production_with_https():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_HTTPS="true")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_https_check_deploy_names_exactly_the_tls_settings():
    """Plain-HTTP intranet deployments: the only warnings left are the TLS ones."""
    result = manage("check", "--deploy", env=production_env())
    found = set(re.findall(r"security\.W\d+", result.stdout + result.stderr))
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_https_switch_turns_on_hsts_secure_cookies_and_redirect():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env(DJANGO_HTTPS="true"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True"], result.stderr


@pytest.mark.django_db
def test_https_redirects_and_sends_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/initiatives/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    secure = client.get("/initiatives/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# --- headers on real responses ---------------------------------------------------------------


def assert_security_headers(response, csp=STRICT_CSP):
    assert response["Content-Security-Policy"] == csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/initiatives/",
        "/initiatives/?q=创业担保贷款&province=510000",
        "/targets/",
        "/initiatives/export.csv",
        "/api/initiatives",
        "/no-such-page/",
    ],
)
def test_site_pages_carry_the_strict_policy(client, url):
    make_initiative(text="乐山市推出创业担保贷款。", regions=("511100",))
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_security_headers(response)


@pytest.mark.django_db
def test_detail_page_carries_the_strict_policy(client):
    initiative = make_initiative(text="乐山市推出创业担保贷款。", regions=("511100",))
    response = client.get(f"/initiatives/{initiative.pk}/")
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.django_db
def test_admin_login_has_a_policy_relaxed_for_styles_only(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert_security_headers(response, csp=ADMIN_CSP)
    assert (
        "'unsafe-inline'"
        not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )


# --- no inline code in our templates ---------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE_BLOCK = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


def site_templates():
    return sorted(
        p for p in TEMPLATES.rglob("*.html") if "admin" not in p.relative_to(TEMPLATES).parts
    )


def test_there_are_site_templates_to_check():
    names = {p.name for p in site_templates()}
    assert {"base.html", "initiative_list.html", "500.html", "503.html", "404.html"} <= names


@pytest.mark.parametrize("path", site_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_site_templates_have_no_inline_script_or_style(path):
    text = path.read_text(encoding="utf-8")
    for pattern in (
        INLINE_SCRIPT,
        INLINE_STYLE_BLOCK,
        STYLE_ATTRIBUTE,
        EVENT_HANDLER,
        JAVASCRIPT_URL,
    ):
        match = pattern.search(text)
        assert match is None, (
            f"{path.name}: {text[max(0, match.start() - 40) : match.end() + 40]!r}"
        )


def test_admin_templates_have_no_inline_scripts():
    """The admin's relaxed policy allows inline styles, not scripts: ours and Django's."""
    import django.contrib.admin

    admin_dir = Path(django.contrib.admin.__file__).parent / "templates"
    for path in [*(TEMPLATES / "admin").rglob("*.html"), *admin_dir.rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        # Django's own <script> tags with a data-* payload all have src=, json_script is data.
        for match in INLINE_SCRIPT.finditer(text):
            tag = text[match.start() : text.find(">", match.start()) + 1]
            assert "application/json" in tag, f"{path}: {tag}"
        assert EVENT_HANDLER.search(text) is None, path


# --- admin login throttle ----------------------------------------------------------------------


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


def login(client, username, password, address="203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_admin_login_is_throttled_after_repeated_failures(client, throttle_cache):
    make_user(username="curator", superuser=True)  # password "pw"
    limit = settings.ADMIN_LOGIN_MAX_FAILURES
    for _ in range(limit):
        assert login(client, "curator", "guess").status_code == 200  # the form again
    blocked = login(client, "curator", "pw")  # even the right password, now
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == str(settings.ADMIN_LOGIN_WINDOW)
    assert "登录尝试过多" in blocked.content.decode()
    # Another client address, or another user name from this one, is not blocked.
    assert login(client, "curator", "pw", address="198.51.100.2").status_code == 302
    assert login(client, "someone-else", "x").status_code == 200


@pytest.mark.django_db
def test_success_clears_the_count(client, throttle_cache):
    make_user(username="curator", superuser=True)
    for _ in range(settings.ADMIN_LOGIN_MAX_FAILURES - 1):
        login(client, "curator", "guess")
    assert login(client, "curator", "pw").status_code == 302
    client.logout()
    for _ in range(settings.ADMIN_LOGIN_MAX_FAILURES - 1):
        assert login(client, "curator", "guess").status_code == 200


@pytest.mark.django_db
def test_one_address_spraying_user_names_is_throttled(client, throttle_cache, settings):
    settings.ADMIN_LOGIN_MAX_FAILURES_PER_IP = 6
    for n in range(6):
        assert login(client, f"name{n}", "guess").status_code == 200
    assert login(client, "name-new", "guess").status_code == 429


@pytest.mark.django_db
def test_the_window_expires(client, throttle_cache, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ADMIN_LOGIN_WINDOW = 3
    make_user(username="curator", superuser=True)
    started = time.monotonic()
    for _ in range(settings.ADMIN_LOGIN_MAX_FAILURES):
        login(client, "curator", "guess")
    assert login(client, "curator", "pw").status_code == 429
    assert time.monotonic() - started < 3
    time.sleep(3.2)
    assert login(client, "curator", "pw").status_code == 302


# --- errors: logged with their trace, never shown ----------------------------------------------


@pytest.mark.django_db
def test_a_missing_page_gives_the_site_404_page(client):
    response = client.get("/initiatives/999999999/")
    assert response.status_code == 404
    assert "找不到页面" in response.content.decode()
    assert_security_headers(response)


@pytest.mark.django_db
def test_an_unexpected_exception_renders_500_without_traceback(monkeypatch, caplog):
    from initiatives.search import filters

    def broken(self):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(filters.InitiativeFilter, "cleaned", broken)
    errors = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = errors.get("/initiatives/?q=x")
    body = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in body
    assert "secret detail" not in body and "Traceback" not in body
    assert_security_headers(response)
    logged = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert logged and "secret detail" in "".join(
        logging.Formatter().formatException(r.exc_info) for r in logged
    )


# --- request log ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_log_line_per_request_with_method_path_status_and_time(client, caplog):
    make_initiative(text="乐山市推出创业担保贷款。", regions=("511100",))
    with caplog.at_level(logging.INFO, logger="requests"):
        client.get("/initiatives/?q=创业")
        client.get("/no-such-page/")
        b"".join(client.get("/initiatives/export.csv").streaming_content)
    lines = [r.getMessage() for r in caplog.records if r.name == "requests"]
    assert len(lines) == 3, lines
    assert re.fullmatch(r"GET /initiatives/\?q=创业 200 \d+\.\dms \d+B", lines[0]), lines[0]
    assert re.fullmatch(r"GET /no-such-page/ 404 \d+\.\dms \d+B", lines[1]), lines[1]
    # Streamed CSV: logged when the last byte has gone, with the bytes sent.
    assert re.fullmatch(r"GET /initiatives/export\.csv 200 \d+\.\dms [1-9]\d*B", lines[2]), lines[2]


@pytest.mark.django_db
def test_the_log_line_cannot_be_forged_with_line_breaks(client, caplog):
    with caplog.at_level(logging.INFO, logger="requests"):
        client.get("/initiatives/", QUERY_STRING="q=a%0d%0aGET /admin/ 200")
        client.get("/x\nGET /admin/ 200")
    lines = [r.getMessage() for r in caplog.records if r.name == "requests"]
    assert len(lines) == 2
    assert all("\n" not in line and "\r" not in line for line in lines)
