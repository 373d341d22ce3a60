"""Measure extraction against annotated documents, split by split.

A split is a folder of annotations (``NNN_slug.json``) beside their texts (``NNN_slug.txt``;
the sample split's texts live in fixtures/documents/). Two annotation shapes are read:
- the sample shape: ``issuing_region`` and ``region_codes`` as GB/T 2260 codes;
- the shape of ../shared/ANNOTATION.md: ``document.region`` and each row's
  ``province``/``city``/``county`` as full official names, mapped to codes with the gazetteer.

Every text is ingested into the current database exactly as ``manage.py ingest`` would
(reading, cleaning, the simplified reading copy, extraction, writing), and the rows stored
are compared with the annotation:
- an annotated initiative is found by the rows whose text contains its quote (ANNOTATION.md);
  in the sample shape, by rows overlapping at least half of the shorter span (its original
  rule, kept so that its figures stay comparable);
- regions are those a facet counts (issuer and covered roles); province and most-specific
  region, year, themes (the five core keys) and instruments are judged on the best row;
- an annotated target is found by a stored target overlapping its quote with the same value
  (within 0.5 %); its kind and year are judged on that target;
- rows matching no annotation are the precision losses, listed by ``losses``.
Run ``python -m tests.quality.evaluate [SPLIT_FOLDER ...]`` for the tables.
"""

import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from ingest import cleaning
from regions.gazetteer import COUNTY, NATIONAL_CODE, PREFECTURE, PROVINCE, gazetteer

ROOT = Path(__file__).resolve().parents[2]
QUALITY = ROOT / "tests" / "quality"
SPLITS = ("sample", "dev", "test")
SAMPLE_TEXTS = ROOT / "fixtures" / "documents"
CORE_THEMES = {
    "entrepreneurship",
    "poverty_alleviation",
    "graduates",
    "skills",
    "unemployment_insurance",
}
COUNTED_ROLES = ("issuer", "covered")


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

    def merge(self, other):
        for key, value in other.n.items():
            if key.endswith(".max"):
                self.n[key] = max(self.n[key], value)
            else:
                self.n[key] += value


# -- reading annotations ------------------------------------------------------------------


def split_folder(name_or_path):
    path = Path(name_or_path)
    return path if path.is_dir() or path.is_absolute() else QUALITY / name_or_path


def annotated_files(folder):
    """(annotation, text path) for each annotated document in ``folder`` that has its text."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        text_path = folder / raw["file"]
        if not text_path.exists():
            text_path = SAMPLE_TEXTS / raw["file"]
        if text_path.exists():
            out.append((normalise_annotation(raw), text_path))
    return out


def normalise_annotation(raw):
    """One shape for both annotation formats: codes, not names."""
    if "document" not in raw:
        year = raw.get("year")
        return {
            "file": raw["file"],
            "rule": "overlap",
            "region": raw.get("issuing_region") or NATIONAL_CODE,
            "year": year,
            "year_alt": [],
            "kind": raw.get("kind"),
            "initiatives": [
                {**row, "region_codes": row["region_codes"] or [NATIONAL_CODE]}
                for row in raw["initiatives"]
            ],
            "targets": raw["targets"],
        }
    document = raw["document"]
    return {
        "file": raw["file"],
        "rule": "contains",
        "region": region_code(**document["region"]),
        "year": document.get("year"),
        "year_alt": document.get("year_alt") or [],
        "kind": document.get("kind"),
        "initiatives": [
            {
                **row,
                "region_codes": [region_code(row["province"], row["city"], row["county"])],
            }
            for row in raw["initiatives"]
        ],
        "targets": raw["targets"],
    }


def region_code(province=None, city=None, county=None):
    """The code of the most specific named place; 全国 when all are empty."""
    g = gazetteer()
    code = NATIONAL_CODE
    for name, levels in (
        (province, (PROVINCE,)),
        (city, (PREFECTURE, COUNTY)),
        (county, (COUNTY,)),
    ):
        if not name:
            continue
        candidates = [
            c
            for c in g.official.get(name, [])
            if g.get(c).level in levels and (code == NATIONAL_CODE or g.is_within(c, code))
        ]
        if not candidates:
            raise ValueError(f"no {name} under {code} in the gazetteer")
        code = candidates[0]
    return code


# -- extraction ---------------------------------------------------------------------------


def ingest_fresh(text_path):
    """Ingest one text as ``manage.py ingest`` does, replacing any earlier copy of it."""
    from ingest.pipeline import ingest_path, read_and_clean
    from initiatives.models import Document

    cleaned = read_and_clean(text_path.read_bytes(), file_name=text_path.name)
    content_hash = hashlib.sha256(cleaned.text.encode("utf-8")).hexdigest()
    Document.objects.filter(content_hash=content_hash).delete()
    Document.objects.filter(file_name=text_path.name).delete()
    return ingest_path(text_path).document


def stored_rows(document):
    """The document's initiatives and targets as plain dicts."""
    rows = []
    initiatives = document.initiatives.prefetch_related("themes", "instruments").order_by("start")
    links = defaultdict(list)
    from initiatives.models import InitiativeRegion

    for initiative_id, code in InitiativeRegion.objects.filter(
        initiative__document=document, role__in=COUNTED_ROLES
    ).values_list("initiative_id", "region_id"):
        links[initiative_id].append(code)
    for row in initiatives:
        rows.append(
            {
                "start": row.start,
                "end": row.end,
                "text": row.text,
                "year": row.year,
                "region_codes": links[row.pk] or [NATIONAL_CODE],
                "themes": {t.key for t in row.themes.all()},
                "instruments": {i.name for i in row.instruments.all()},
            }
        )
    found_targets = [
        {
            "start": t.start,
            "end": t.end,
            "text": t.text,
            "value": t.value,
            "unit": t.unit,
            "kind": t.kind,
            "year": t.year,
            "indicator": t.indicator,
        }
        for t in document.targets.order_by("start")
    ]
    return rows, found_targets


# -- comparing ----------------------------------------------------------------------------


def _locate(quote, text):
    quote = cleaning.normalise(quote).strip()
    at = text.find(quote)
    return (at, at + len(quote)) if at >= 0 else None


def _overlap(a, b):
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _matches(rule, span, row_span):
    if rule == "contains":
        return row_span[0] <= span[0] and span[1] <= row_span[1]
    return _overlap(span, row_span) >= 0.5 * min(span[1] - span[0], row_span[1] - row_span[0])


def _close(a, b):
    a, b = Decimal(str(a)), Decimal(str(b))
    return abs(a - b) <= abs(b) * Decimal("0.005")


def _provinces(codes):
    g = gazetteer()
    out = set()
    for code in codes:
        province = g.province_of(code)
        out.add(province.code if province else NATIONAL_CODE)
    return out


def _canonical_instruments():
    from initiatives.models import PolicyInstrument

    mapping = {}
    for name, synonyms in PolicyInstrument.objects.values_list("name", "synonyms"):
        mapping[name] = name
        for synonym in synonyms or ():
            mapping.setdefault(synonym, name)
    return mapping


class DocumentResult:
    def __init__(self, name, tally, losses, misses):
        self.name = name
        self.tally = tally
        self.losses = losses  # extracted rows that match no annotation
        self.misses = misses  # annotated quotes no row matched


def measure_document(annotation, text_path, canonical):
    document = ingest_fresh(text_path)
    text = cleaning.normalise(document.text)
    rows, found_targets = stored_rows(document)
    rule = annotation["rule"]
    t = Tally()
    t.add("document.region", document.issuing_region_id == annotation["region"])
    years = {annotation["year"], *annotation["year_alt"]}
    covered = set()
    misses = []
    for gold in annotation["initiatives"]:
        span = _locate(gold["quote"], text)
        if span is None:
            t.add("unlocated")
            continue
        hits = [k for k, r in enumerate(rows) if _matches(rule, span, (r["start"], r["end"]))]
        t.add("initiative.recall", bool(hits))
        t.add("initiatives")
        if not hits:
            misses.append(("initiative", gold["quote"]))
            continue
        t.n["rows_per_found.sum"] += len(hits)
        t.n["rows_per_found.count"] += 1
        t.n["rows_per_found.max"] = max(t.n["rows_per_found.max"], len(hits))
        covered.update(hits)
        best = max((rows[k] for k in hits), key=lambda r: _overlap(span, (r["start"], r["end"])))
        gold_codes, got_codes = set(gold["region_codes"]), set(best["region_codes"])
        t.add("region.province", _provinces(got_codes) == _provinces(gold_codes))
        t.add("region.specific", got_codes == gold_codes)
        gold_year = gold.get("year", annotation["year"])
        accepted = years if gold_year == annotation["year"] else {gold_year}
        t.add("year", best["year"] in accepted)
        gold_themes = set(gold["themes"]) & CORE_THEMES
        got_themes = best["themes"] & CORE_THEMES
        t.add("theme.precision", len(gold_themes & got_themes), by=len(got_themes))
        t.add("theme.recall", len(gold_themes & got_themes), by=len(gold_themes))
        wanted = {canonical.get(name, name) for name in gold["instruments"]}
        t.add("instrument.recall", len(wanted & best["instruments"]), by=len(wanted))
    t.add("initiative.precision", len(covered), by=len(rows))
    losses = [r["text"][:80] for k, r in enumerate(rows) if k not in covered]

    matched = set()
    for gold in annotation["targets"]:
        span = _locate(gold["quote"], text)
        if span is None:
            t.add("unlocated")
            continue
        hits = [
            k
            for k, f in enumerate(found_targets)
            if _overlap(span, (f["start"], f["end"])) > 0 and _close(f["value"], gold["value"])
        ]
        t.add("target.recall", bool(hits))
        if not hits:
            misses.append(("target", f"{gold['quote']} = {gold['value']} {gold['unit']}"))
            continue
        matched.add(hits[0])
        found = found_targets[hits[0]]
        t.add("target.kind", found["kind"] == gold["kind"])
        t.add("target.year", found["year"] == gold.get("year"))
    t.add("target.precision", len(matched), by=len(found_targets))
    losses += [
        f"[{f['indicator']} {f['value'].normalize():f}{f['unit']}] {f['text'][:60]}"
        for k, f in enumerate(found_targets)
        if k not in matched
    ]
    return DocumentResult(annotation["file"], t, losses, misses)


def measure_split(folder):
    """Per-document results and the split's total; an empty list for a split with no files."""
    canonical = _canonical_instruments()
    return [
        measure_document(annotation, text_path, canonical)
        for annotation, text_path in annotated_files(folder)
    ]


def total(results):
    overall = Tally()
    for result in results:
        overall.merge(result.tally)
    return overall


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
    ("target year right", "target.year"),
    ("document region", "document.region"),
]


def summary(tally):
    out = {label: tally.ratio(key) for label, key in METRICS}
    p, r = out["theme precision"], out["theme recall"]
    out["theme F1"] = 2 * p * r / (p + r) if p and r else (None if p is r is None else 0.0)
    annotated = tally.n["initiatives.total"]
    rows = tally.n["initiative.precision.total"]
    out["rows per annotated initiative"] = rows / annotated if annotated else None
    count = tally.n["rows_per_found.count"]
    out["rows per found initiative (mean)"] = (
        tally.n["rows_per_found.sum"] / count if count else None
    )
    out["rows per found initiative (max)"] = tally.n["rows_per_found.max"]
    out["unlocated quotes"] = tally.n["unlocated.total"]
    return out
