"""Measure extraction against the annotated sample corpus (tests/quality/annotations/).

Matching rules:
- an annotated initiative is found when an extracted one overlaps at least half of the
  shorter of the two spans; its fields are judged on the extracted row overlapping most;
- an annotated target is found when an extracted target overlaps its quote and has the same
  value (within 0.5 %); its kind is judged on that row.
Run ``python -m tests.quality.evaluate`` for the table; tests/test_extraction_quality.py
holds the bar.
"""

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from ingest import cleaning, metadata
from ingest.extract import Extractor
from ingest.pipeline import read_and_clean
from ingest.vocabulary import Vocabulary
from regions.gazetteer import NATIONAL_CODE, gazetteer

ROOT = Path(__file__).resolve().parents[2]
ANNOTATIONS = ROOT / "tests" / "quality" / "annotations"
DOCUMENTS = ROOT / "fixtures" / "documents"


def _locate(quote, text):
    quote = cleaning.normalise(quote).strip()
    at = text.find(quote)
    return (at, at + len(quote)) if at >= 0 else None


def _overlap(a, b):
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


class Tally:
    def __init__(self):
        self.n = defaultdict(int)

    def add(self, key, ok=True, by=1):
        self.n[key + ".total"] += by
        if ok:
            self.n[key + ".ok"] += by if ok is True else ok

    def ratio(self, key):
        total = self.n[key + ".total"]
        return self.n[key + ".ok"] / total if total else None


def run_extraction(annotation, extractor):
    """The annotated document's cleaned text, its metadata and what the extractor finds."""
    path = DOCUMENTS / annotation["file"]
    cleaned = read_and_clean(path.read_bytes(), file_name=path.name)
    meta = metadata.extract(cleaned.text, cleaned.header, extractor.matcher)
    return cleaned.text, meta, extractor.extract(cleaned.text, meta)


def annotations(file_prefix=""):
    for path in sorted(ANNOTATIONS.glob(f"{file_prefix}*.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


def measure_document(annotation, extractor, vocabulary_names):
    g = extractor.g
    text, meta, result = run_extraction(annotation, extractor)
    t = Tally()
    t.add("document.year", meta.year == annotation["year"])
    t.add("document.kind", meta.kind == annotation["kind"])
    t.add("document.region", meta.issuing_region == annotation["issuing_region"])

    extracted = [((i.start, i.end), i) for i in result.initiatives]
    covered = set()
    rows_per = []
    for gold in annotation["initiatives"]:
        span = _locate(gold["quote"], text)
        if span is None:
            t.add("unlocated")
            continue
        hits = [
            (_overlap(span, s), k, item)
            for k, (s, item) in enumerate(extracted)
            if _overlap(span, s) >= 0.5 * min(span[1] - span[0], s[1] - s[0])
        ]
        t.add("initiative.recall", bool(hits))
        if not hits:
            continue
        rows_per.append(len(hits))
        covered.update(k for _, k, _ in hits)
        best = max(hits, key=lambda h: h[0])[2]
        gold_codes = set(gold["region_codes"])
        got_codes = set(best.region_codes)
        t.add("region.province", _provinces(g, got_codes) == _provinces(g, gold_codes))
        t.add("region.specific", got_codes == gold_codes)
        t.add("year", meta.year == gold.get("year", annotation["year"]))
        gold_themes, got_themes = set(gold["themes"]), set(best.themes)
        t.add("theme.precision", len(gold_themes & got_themes), by=len(got_themes))
        t.add("theme.recall", len(gold_themes & got_themes), by=len(gold_themes))
        got_instruments = {vocabulary_names.get(i) for i in best.instrument_ids}
        canonical = {vocabulary_names.get(name, name) for name in gold["instruments"]}
        t.add("instrument.recall", len(canonical & got_instruments), by=len(canonical))
    t.add("initiative.precision", len(covered), by=len(extracted))
    t.n["rows_per_initiative.sum"] += sum(rows_per)
    t.n["rows_per_initiative.count"] += len(rows_per)
    t.n["rows_per_initiative.max"] = max(rows_per, default=0)

    matched_extracted = set()
    for gold in annotation["targets"]:
        span = _locate(gold["quote"], text)
        if span is None:
            t.add("unlocated")
            continue
        value = Decimal(str(gold["value"]))
        hits = [
            (k, f)
            for k, f in enumerate(result.targets)
            if _overlap(span, (f.start, f.end)) > 0 and _close(f.value, value)
        ]
        t.add("target.recall", bool(hits))
        if hits:
            matched_extracted.add(hits[0][0])
            t.add("target.kind", hits[0][1].kind == gold["kind"])
            # ANNOTATION.md "Years": the year the figure refers to (a multi-year figure:
            # the last year of its period; a recurring yearly goal: none).
            if "year" in gold:
                t.add("target.year", hits[0][1].year == gold["year"])
            if gold.get("year_end"):
                got = (hits[0][1].year_start, hits[0][1].year_end)
                t.add("target.period", got == (gold.get("year_start"), gold["year_end"]))
    t.add("target.precision", len(matched_extracted), by=len(result.targets))
    return t


def _close(a, b):
    a, b = Decimal(a), Decimal(b)
    return abs(a - b) <= abs(b) * Decimal("0.005")


def _provinces(g, codes):
    out = set()
    for code in codes:
        province = g.province_of(code)
        out.add(province.code if province else NATIONAL_CODE)
    return out


def _names_to_canonical():
    from initiatives.models import PolicyInstrument

    mapping = {}
    for pk, name, synonyms in PolicyInstrument.objects.values_list("pk", "name", "synonyms"):
        mapping[pk] = name
        mapping[name] = name
        for synonym in synonyms or ():
            mapping[synonym] = name
    return mapping


def measure_all():
    extractor = Extractor(gazetteer(), Vocabulary.from_database())
    names = _names_to_canonical()
    report = {}
    for annotation in annotations():
        report[annotation["file"]] = measure_document(annotation, extractor, names)
    overall = Tally()
    for tally in report.values():
        for key, value in tally.n.items():
            if key == "rows_per_initiative.max":
                overall.n[key] = max(overall.n[key], value)
            else:
                overall.n[key] += value
    report["overall"] = overall
    return report


METRICS = [
    ("initiative recall", "initiative.recall"),
    ("initiative precision", "initiative.precision"),
    ("province accuracy", "region.province"),
    ("most-specific region", "region.specific"),
    ("year", "year"),
    ("theme precision", "theme.precision"),
    ("theme recall", "theme.recall"),
    ("instrument recall", "instrument.recall"),
    ("target recall", "target.recall"),
    ("target precision", "target.precision"),
    ("target kind right", "target.kind"),
    ("target year", "target.year"),
    ("target period (multi-year)", "target.period"),
]


def summary(tally):
    out = {label: tally.ratio(key) for label, key in METRICS}
    p, r = out["theme precision"], out["theme recall"]
    out["theme F1"] = 2 * p * r / (p + r) if p and r else 0.0
    count = tally.n["rows_per_initiative.count"]
    out["rows per found initiative (mean)"] = (
        tally.n["rows_per_initiative.sum"] / count if count else None
    )
    out["rows per found initiative (max)"] = tally.n["rows_per_initiative.max"]
    out["unlocated quotes"] = tally.n["unlocated.total"]
    return out


def region_mismatches(file_prefix):
    """(quote, expected codes, extracted codes) for one document: a debugging aid."""
    extractor = Extractor(gazetteer(), Vocabulary.from_database())
    for annotation in annotations(file_prefix):
        text, _, result = run_extraction(annotation, extractor)
        for gold in annotation["initiatives"]:
            span = _locate(gold["quote"], text)
            best = max(result.initiatives, key=lambda i: _overlap(span, (i.start, i.end)))
            if set(best.region_codes) != set(gold["region_codes"]):
                yield gold["quote"][:50], gold["region_codes"], best.region_codes


def target_misses(file_prefix):
    """Annotated targets not found, with the extracted figures that overlap their quote."""
    extractor = Extractor(gazetteer(), Vocabulary.from_database())
    for annotation in annotations(file_prefix):
        text, _, result = run_extraction(annotation, extractor)
        for gold in annotation["targets"]:
            span = _locate(gold["quote"], text)
            near = [
                (f.indicator, str(f.value), f.kind)
                for f in result.targets
                if _overlap(span, (f.start, f.end)) > 0
            ]
            if not any(_close(v, Decimal(str(gold["value"]))) for _, v, _ in near):
                yield gold["quote"][:40], gold["value"], gold["unit"], near
