"""The "for researchers" guide on /data/: its snippets name columns the files really have."""

import ast
import html
import re
import subprocess
import sys

import pytest

from initiatives.exports import guide
from tests.test_data_page import archive, corpus, zip_csv  # noqa: F401

pytestmark = pytest.mark.django_db

# Strings in the pandas snippet that are not column names: role values, aggregations and
# the columns the snippet makes itself.
NOT_COLUMNS = {"issuer", "covered", "min", "max", "event", "start", "stop"}


def headers(archive):  # noqa: F811
    return {name: zip_csv(archive, name)[0] for name in guide.PANDAS_COLUMNS}


def test_the_page_shows_both_snippets(client, corpus):  # noqa: F811
    page = html.unescape(client.get("/data/").content.decode())
    assert 'href="#researchers"' in page
    assert guide.PANDAS.strip() in page and guide.STATA.strip() in page
    assert "dtype=codes" in page and "stringcols(1 3 4)" in page


def test_pandas_snippet_names_real_columns(archive):  # noqa: F811
    found = headers(archive)
    for name, columns in guide.PANDAS_COLUMNS.items():
        missing = set(columns) - set(found[name])
        assert not missing, (name, missing)
    every_column = set().union(*found.values())
    literals = {
        node.value
        for node in ast.walk(ast.parse(guide.PANDAS))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    names = {s for s in literals if re.fullmatch(r"[a-z_]+", s)} - NOT_COLUMNS
    assert names and names <= every_column, names - every_column
    files = {s for s in literals if s.endswith(".csv")}
    assert files == set(guide.PANDAS_COLUMNS)


def test_stata_stringcols_point_at_the_code_columns(archive):  # noqa: F811
    for name, number, column in guide.STATA_STRING_COLUMNS:
        assert zip_csv(archive, name)[0][number - 1] == column, (name, number)
    for name, numbers in re.findall(r'"(\w+\.csv)".*stringcols\(([\d ]+)\)', guide.STATA):
        declared = {n for f, n, _ in guide.STATA_STRING_COLUMNS if f == name}
        assert {int(n) for n in numbers.split()} == declared, name


def test_pandas_snippet_runs_on_the_real_download(archive, tmp_path):  # noqa: F811
    """The snippet as printed on /data/, run by pandas (a dev dependency) on the download."""
    archive.extractall(tmp_path)
    script = guide.PANDAS + "\nprint(len(spells), len(rows))\n"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    spells, rows = (int(n) for n in result.stdout.split()[-2:])
    assert spells > 0 and rows > 0, result.stdout
