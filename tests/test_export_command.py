import csv
import io

import pytest
from django.core.management import CommandError, call_command

from initiatives.exports.rows import TARGET_COLUMNS
from tests.factories import make_target

pytestmark = pytest.mark.django_db


def test_a_filter_value_the_page_would_ignore_is_an_error_for_the_command(tmp_path):
    with pytest.raises(CommandError, match="abc"):
        call_command("export", "targets", "--year", "abc", "--output", str(tmp_path / "t.csv"))
    assert not (tmp_path / "t.csv").exists()


def test_targets_keep_their_comparator_readable(tmp_path):
    make_target(comparator="=", value=20321, kind="achieved")
    make_target(
        comparator="<", value=4.5, unit="%", indicator="城镇登记失业率", text="城镇登记失业率4.5%"
    )
    out = tmp_path / "t.csv"
    call_command("export", "targets", "--output", str(out), stderr=io.StringIO())
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == TARGET_COLUMNS
    assert [(r["comparator"], r["value"]) for r in rows] == [("=", "20321"), ("<", "4.5")]
