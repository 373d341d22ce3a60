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
