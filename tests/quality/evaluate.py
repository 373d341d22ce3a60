"""Print extraction quality per document and per split, and the rows that cost precision.

python -m tests.quality.evaluate [--losses] [SPLIT_FOLDER ...]

Without folders, the splits tests/quality/sample, dev and test are measured; a split with
no annotated files is skipped. Uses DATABASE_URL (run ``manage.py migrate`` first): every
document is ingested into that database, so point it at a scratch one.
"""

import argparse
import os
from pathlib import Path

import django


def _cell(value):
    if value is None:
        return f"{'-':>8}"
    if isinstance(value, float):
        return f"{value:8.2f}"
    return f"{value:>8}"


def print_table(columns, rows):
    labels = list(next(iter(rows.values())))
    width = max(len(label) for label in labels)
    print(" " * width + "  " + "  ".join(f"{c[:8]:>8}" for c in columns))
    for label in labels:
        print(f"{label:<{width}}  " + "  ".join(_cell(rows[c][label]) for c in columns))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", help="split folders (default: sample dev test)")
    parser.add_argument(
        "--losses", action="store_true", help="list rows matching no annotation and misses"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from tests.quality.measure import SPLITS, measure_split, split_folder, summary, total

    splits = {}
    for name in args.folders or SPLITS:
        folder = split_folder(name)
        results = measure_split(folder)
        if not results:
            print(f"{name}: no annotated documents, skipped")
            continue
        label = Path(name).name
        while label in splits:
            # Two folders of the same split name (this checkout's dev and another's).
            label += "'"
        splits[label] = results

    for name, results in splits.items():
        print(f"\n== {name}: {len(results)} documents")
        columns = [r.name.split("_")[0] for r in results]
        rows = {c: summary(r.tally) for c, r in zip(columns, results, strict=True)}
        print_table(columns, rows)
        if args.losses:
            for r in results:
                for quote in r.misses:
                    print(f"  MISS {r.name[:24]} {quote[0]}: {quote[1]}")
                for loss in r.losses:
                    print(f"  EXTRA {r.name[:24]} {loss}")
    if splits:
        print("\n== splits")
        rows = {name: summary(total(results)) for name, results in splits.items()}
        print_table(list(rows), rows)


if __name__ == "__main__":
    main()
