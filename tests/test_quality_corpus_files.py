"""The unseen-document corpus (tests/quality/dev and tests/quality/test) is well formed.

Extraction quality on these splits is only meaningful if every annotation can be found in its
text and follows the shared annotation conventions; a quote that drifts from the saved text would
silently count as a miss.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPLITS = ("dev", "test")
VOCABULARY = ROOT / "fixtures" / "vocabulary" / "instruments.json"
THEMES = {
    "entrepreneurship",
    "poverty_alleviation",
    "graduates",
    "skills",
    "unemployment_insurance",
    "public_employment_services",
    "rural_migrant_workers",
    "other",
}
KINDS = {"summary", "opinion", "plan", "case_study", "news"}
# A quote stays inside one clause: it never crosses 。, a semicolon or a line break.
CLAUSE_BREAK = re.compile(r"[。;；\n]")


def _documents():
    for split in SPLITS:
        for text_path in sorted((ROOT / "tests" / "quality" / split).glob("*.txt")):
            yield pytest.param(split, text_path, id=f"{split}/{text_path.stem}")


def _instrument_names():
    return {item["name"] for item in json.loads(VOCABULARY.read_text(encoding="utf-8"))}


@pytest.mark.parametrize(("split", "text_path"), list(_documents()))
def test_annotation_matches_its_text(split, text_path):
    text = text_path.read_text(encoding="utf-8")
    annotation = json.loads(text_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert annotation["file"] == text_path.name

    document = annotation["document"]
    assert document["kind"] in KINDS
    assert isinstance(document["year"], int)
    assert set(document["region"]) == {"province", "city", "county"}
    assert document["region"]["province"], "every document has an issuing province"

    instruments = _instrument_names()
    rows = annotation["initiatives"] + annotation["targets"]
    for row in rows:
        quote = row["quote"]
        assert quote in text, f"quote not in text: {quote}"
        assert 10 <= len(quote) <= 80, f"quote length {len(quote)}: {quote}"
        assert not CLAUSE_BREAK.search(quote), f"quote crosses a clause: {quote}"
    for row in annotation["initiatives"]:
        assert set(row["themes"]) <= THEMES, row
        assert set(row["instruments"]) <= instruments, row
        assert isinstance(row["year"], int), row
    for row in annotation["targets"]:
        assert row["kind"] in {"achieved", "target"}, row
        assert isinstance(row["value"], (int, float)) and row["value"] > 0, row
        assert row["unit"], row
        assert row["year"] is None or isinstance(row["year"], int), row


@pytest.mark.parametrize("split", SPLITS)
def test_every_file_is_described_in_sources(split):
    folder = ROOT / "tests" / "quality" / split
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    for text_path in folder.glob("*.txt"):
        assert text_path.name in sources, f"{text_path.name} missing from {split}/SOURCES.md"


def test_test_split_is_large_enough_to_measure():
    assert len(list((ROOT / "tests" / "quality" / "test").glob("*.txt"))) >= 15
