"""Years on documents the date rules were not written on (tests/quality/heldout/).

python -m tests.quality.years        (uses DATABASE_URL; run `manage.py migrate` first)

Per document: the document's year (right when it is the annotated year or one of its
``year_alt``), the share of extracted initiatives carrying a right year (an initiative's
year is its document's), and for each annotated figure found by the extractor (overlapping
its quote, same value) whether its year is the one the figure refers to.
"""

import json
import os
from decimal import Decimal
from pathlib import Path

HELDOUT = Path(__file__).resolve().parent / "heldout"


def measure():
    from ingest import metadata
    from ingest.extract import Extractor
    from ingest.pipeline import read_and_clean, to_simplified
    from ingest.vocabulary import Vocabulary
    from regions.gazetteer import gazetteer

    extractor = Extractor(gazetteer(), Vocabulary.from_database())
    gold = json.loads((HELDOUT / "years.json").read_text(encoding="utf-8"))["documents"]
    rows = []
    for doc in gold:
        path = HELDOUT / doc["file"]
        cleaned = read_and_clean(path.read_bytes(), file_name=path.name)
        readable = to_simplified(cleaned.text)
        if len(readable) != len(cleaned.text):
            readable = cleaned.text
        meta = metadata.extract(readable, cleaned.header, extractor.matcher)
        result = extractor.extract(readable, meta)
        allowed = {doc["year"], *doc.get("year_alt", [])}
        found = right = 0
        for target in doc["targets"]:
            at = cleaned.text.find(target["quote"])
            assert at >= 0, target["quote"]
            end = at + len(target["quote"])
            value = Decimal(str(target["value"]))
            hits = [
                f
                for f in result.targets
                if f.start < end and at < f.end and abs(f.value - value) <= abs(value) / 200
            ]
            if hits:
                found += 1
                right += hits[0].year == target["year"]
        rows.append(
            {
                "file": doc["file"][:24],
                "document year": (meta.year, meta.year in allowed),
                "initiatives": len(result.initiatives),
                "initiatives right": len(result.initiatives) if meta.year in allowed else 0,
                "targets annotated": len(doc["targets"]),
                "targets found": found,
                "target years right": right,
            }
        )
    return rows


def main():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    rows = measure()
    for row in rows:
        year, ok = row["document year"]
        print(
            f"{row['file']:<26} year {year} {'ok' if ok else 'WRONG'}  initiatives "
            f"{row['initiatives right']}/{row['initiatives']}  target years "
            f"{row['target years right']}/{row['targets found']} (of {row['targets annotated']})"
        )
    n_i = sum(r["initiatives"] for r in rows)
    n_t = sum(r["targets found"] for r in rows)
    print(
        f"documents {sum(r['document year'][1] for r in rows)}/{len(rows)}  "
        f"initiative year {sum(r['initiatives right'] for r in rows) / n_i:.2f}  "
        f"target year {sum(r['target years right'] for r in rows) / n_t:.2f} "
        f"({n_t} of {sum(r['targets annotated'] for r in rows)} figures found)"
    )


if __name__ == "__main__":
    main()
