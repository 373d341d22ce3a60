"""The extraction bars on the annotated splits (see tests/quality/measure.py)."""

import pytest

from tests.quality.measure import measure_split, split_folder, summary, total

pytestmark = pytest.mark.django_db

# Today's figures on the five sample documents, rounded down: extraction may not regress.
SAMPLE_BAR = {
    "initiative recall": 0.90,
    "province accuracy": 0.95,
    "most-specific region": 0.85,
    "year": 0.90,
    "theme F1": 0.80,
    "instrument recall": 0.70,
    "target recall": 0.80,
    "target kind right": 0.90,
}


def _below(figures, bar):
    return {k: round(figures[k], 3) for k, floor in bar.items() if figures[k] < floor}


def test_extraction_meets_the_bar_on_the_sample_corpus():
    figures = summary(total(measure_split(split_folder("sample"))))
    assert _below(figures, SAMPLE_BAR) == {}
    assert figures["rows per found initiative (mean)"] <= 3
    assert figures["unlocated quotes"] == 0


def test_every_annotated_quote_is_found_in_its_text():
    # An annotation whose quote is not in the saved text measures nothing.
    for split in ("sample", "dev", "test"):
        results = measure_split(split_folder(split))
        assert all(r.tally.n["unlocated.total"] == 0 for r in results), split
