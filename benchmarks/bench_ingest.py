"""Ingest throughput: characters per second on the sample corpus and on a ~5 MB synthetic one.

    DATABASE_URL=sqlite:////tmp/bench_ingest.sqlite3 .venv/bin/python benchmarks/bench_ingest.py

Uses a scratch database (created and migrated here; never point it at real data). The
synthetic corpus is the sample documents repeated with the year and a serial number
changed, so every document has new content and is really extracted and written.
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_ingest.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from ingest.extract import Extractor  # noqa: E402
from ingest.pipeline import ingest_path  # noqa: E402
from ingest.vocabulary import Vocabulary  # noqa: E402
from regions.gazetteer import gazetteer  # noqa: E402

SAMPLES = sorted((ROOT / "fixtures" / "documents").glob("*.txt"))


def run(paths, extractor):
    chars = 0
    began = time.perf_counter()
    for path in paths:
        outcome = ingest_path(path, extractor=extractor)
        chars += len(outcome.document.text)
    return chars, time.perf_counter() - began


def main():
    database = django.conf.settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and Path(database["NAME"]).exists():
        Path(database["NAME"]).unlink()
    call_command("migrate", verbosity=0)
    from initiatives.models import Document

    Document.objects.all().delete()
    began = time.perf_counter()
    extractor = Extractor(gazetteer(), Vocabulary.from_database())
    from initiatives.segmentation import segment_for_index

    segment_for_index("预热分词词典")
    print(
        f"startup (gazetteer, vocabularies, jieba dictionary): {time.perf_counter() - began:.2f}s"
    )

    chars, seconds = run(SAMPLES, extractor)
    print(
        f"sample corpus: {len(SAMPLES)} documents, {chars:,} characters in {seconds:.2f}s "
        f"= {chars / seconds:,.0f} characters/s"
    )

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        size = 0
        n = 0
        while size < 5_000_000:
            for sample in SAMPLES:
                text = sample.read_text(encoding="utf-8").replace("2017年", f"{2000 + n % 25}年")
                text += f"\n(汇编第{n}号)"
                path = Path(tmp) / f"synthetic_{n:04d}_{sample.name}"
                path.write_text(text, encoding="utf-8")
                paths.append(path)
                size += len(text.encode("utf-8"))
                n += 1
        chars, seconds = run(paths, extractor)
        print(
            f"synthetic corpus: {len(paths)} documents, {size / 1e6:.1f} MB, {chars:,} characters "
            f"in {seconds:.1f}s = {chars / seconds:,.0f} characters/s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
