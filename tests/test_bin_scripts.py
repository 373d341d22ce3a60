"""The scripts in bin/: one way to find the project's interpreter, a lock that must match
pyproject.toml, and the admin URL printed for the port the server uses."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[1]


def _project_copy(tmp_path, *names):
    (tmp_path / "bin").mkdir()
    for name in ("bin/_python", *names):
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def _interpreter(project, **env):
    environ = {k: v for k, v in os.environ.items() if k != "PYTHON"}
    environ.update(env)
    script = f'source "{project}/bin/_python"; printf %s "$PYTHON"'
    return subprocess.run(
        ["bash", "-c", script], env=environ, capture_output=True, text=True, check=True
    ).stdout


def test_interpreter_is_python3_without_a_virtualenv(tmp_path):
    assert _interpreter(_project_copy(tmp_path)) == "python3"


def test_interpreter_is_the_projects_virtualenv_when_present(tmp_path):
    project = _project_copy(tmp_path)
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    assert _interpreter(project) == str(python)


def test_interpreter_named_by_PYTHON_wins(tmp_path):
    project = _project_copy(tmp_path)
    (project / ".venv" / "bin").mkdir(parents=True)
    assert _interpreter(project, PYTHON="/srv/kb/env/bin/python") == "/srv/kb/env/bin/python"


def _lock_check(project):
    return subprocess.run(
        ["bash", str(project / "bin" / "lock"), "--check"],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
    )


def test_committed_lock_matches_pyproject():
    result = _lock_check(ROOT)
    assert result.returncode == 0, result.stderr


def test_lock_check_fails_when_a_dependency_changes_but_not_for_a_comment(tmp_path):
    project = _project_copy(tmp_path, "bin/lock")
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copy2(ROOT / name, project / name)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()

    pyproject.write_text(text.replace("[project]", "# a note\n[project]", 1))
    assert _lock_check(project).returncode == 0

    pyproject.write_text(text.replace('"numpy>=1.26"', '"numpy>=1.27"', 1))
    result = _lock_check(project)
    assert result.returncode == 1
    assert "requirements.lock is out of date with pyproject.toml" in result.stderr


def test_lock_pins_every_package_with_hashes():
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith((" ", "#"))]
    assert any(pin.startswith("lxml-html-clean==") for pin in pins)
    assert all("==" in pin and pin.endswith("\\") for pin in pins)  # a hash follows each


@pytest.mark.django_db
def test_admin_url_uses_the_servers_port(capsys, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    call_command("ensure_admin")
    assert "http://127.0.0.1:8123/admin/" in capsys.readouterr().out
    call_command("ensure_admin", port="9000")  # the account exists now: still the URL
    assert "http://127.0.0.1:9000/admin/" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize("port", ["http", "0", "70000"])
def test_admin_url_refuses_a_port_that_is_not_one(port):
    with pytest.raises(CommandError, match="must be a number from 1 to 65535"):
        call_command("ensure_admin", port=port)
