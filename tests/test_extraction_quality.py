"""The extraction bar on the annotated sample corpus (see tests/quality/)."""

import pytest

from tests.quality.measure import measure_all, summary

pytestmark = pytest.mark.django_db

BAR = {
    "initiative recall": 0.90,
    "province accuracy": 0.95,
    "most-specific region": 0.85,
    "year": 0.90,
    "theme F1": 0.80,
    "instrument recall": 0.70,
    "target recall": 0.80,
    "target kind right": 0.90,
}


def test_extraction_meets_the_bar_on_the_annotated_corpus():
    overall = summary(measure_all()["overall"])
    below = {k: round(overall[k], 3) for k, floor in BAR.items() if overall[k] < floor}
    assert below == {}
    assert overall["rows per found initiative (mean)"] <= 3
    assert overall["unlocated quotes"] == 0


def test_years_meet_the_bar_on_the_held_out_documents():
    from tests.quality.years import measure

    rows = measure()
    initiatives = sum(r["initiatives"] for r in rows)
    found = sum(r["targets found"] for r in rows)
    assert sum(r["initiatives right"] for r in rows) / initiatives >= 0.95
    assert sum(r["target years right"] for r in rows) / found >= 0.90
    assert found >= 0.9 * sum(r["targets annotated"] for r in rows)
