"""Print extraction quality per document and overall.

python -m tests.quality.evaluate        (uses DATABASE_URL; run `manage.py migrate` first)
"""

import os

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from tests.quality.measure import measure_all, summary

    report = measure_all()
    columns = list(report)
    rows = {name: summary(tally) for name, tally in report.items()}
    labels = list(next(iter(rows.values())))
    width = max(len(label) for label in labels)
    print(" " * width + "  " + "  ".join(f"{c[:8]:>8}" for c in columns))
    for label in labels:
        cells = []
        for c in columns:
            v = rows[c][label]
            cells.append(
                f"{'-':>8}" if v is None else f"{v:8.2f}" if isinstance(v, float) else f"{v:>8}"
            )
        print(f"{label:<{width}}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
