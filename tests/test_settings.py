"""The settings module refuses configurations that would be unsafe in production.

Each case starts a fresh interpreter, because settings are read once per process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LOAD_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
)


def run_with(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_runs_in_debug_with_nothing_set():
    result = run_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_with(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_short_secret_key():
    result = run_with(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_it_starts_with_a_long_secret_key():
    result = run_with(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 20 + "9f8e7d6c5b4a3f2e1d0c9b8a")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("value", ["maybe", "ture", "2"])
def test_it_refuses_an_unclear_debug_value(value):
    result = run_with(DJANGO_DEBUG=value)
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr
    assert repr(value) in result.stderr


def test_it_refuses_a_database_it_does_not_support():
    result = run_with(DATABASE_URL="mysql://u:p@localhost/db")
    assert result.returncode != 0
    assert "DATABASE_URL must point at SQLite or PostgreSQL" in result.stderr


def test_manage_py_check_fails_loudly_in_production_without_a_key():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean["DJANGO_DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
