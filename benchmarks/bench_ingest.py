"""Ingest throughput: characters per second on the sample corpus and on synthetic corpora.

    DATABASE_URL=sqlite:////tmp/bench_ingest.sqlite3 .venv/bin/python benchmarks/bench_ingest.py
    .venv/bin/python benchmarks/bench_ingest.py --plan-mb 2 --dense-mb 2   # quicker
    .venv/bin/python benchmarks/bench_ingest.py --jobs 2   # through `manage.py ingest --jobs 2`
    .venv/bin/python benchmarks/bench_ingest.py --stages   # also the time of each stage

Uses a scratch database (created and migrated here; never point it at real data). Corpora:

- the sample corpus (fixtures/documents);
- "plan": the sample documents repeated (``--plan-mb`` MB) with the year and a serial number
  changed, so every document has new content and is really extracted and written;
- "region-dense": national round-ups (``--dense-mb`` MB) where every sentence names a
  province, a city and several of its counties, as the annual summaries do: the text that
  makes place resolution costly.

For each it prints the end-to-end rate (read, extract, write, index; one process) with the
characters per processor second of all processes involved (less sensitive to other work on
the machine than the wall-clock rate), and the
segmenter alone on the same document texts (``segment_for_index``: what any ingest must
spend at least), so the rest of the pipeline's share is visible. ``--stages`` ingests each
corpus once more (into the same scratch database, as new documents) step by step and prints
the processor time of each stage: read (bytes to text), clean, extract (the traditional-
character copy, metadata, initiatives and targets), segment (the rows' search tokens),
write (one transaction: rows, links, full-text index, change log).
"""

import argparse
import hashlib
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


def cpu_seconds():
    """Processor time of this process and its finished children (the ``--jobs`` workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run(paths, extractor, jobs=1):
    chars = 0
    began = time.perf_counter()
    if jobs > 1:
        import io

        from django.db.models import Sum
        from django.db.models.functions import Length

        from initiatives.models import Document

        last = Document.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        began = time.perf_counter()
        call_command("ingest", *map(str, paths), jobs=jobs, stdout=io.StringIO())
        seconds = time.perf_counter() - began
        chars = Document.objects.filter(pk__gt=last).aggregate(n=Sum(Length("text")))
        return chars["n"] or 0, seconds
    for path in paths:
        outcome = ingest_path(path, extractor=extractor)
        chars += len(outcome.document.text)
    return chars, time.perf_counter() - began


def stages(paths, extractor):
    """Processor seconds per stage over these files, ingested one by one as new documents."""
    from ingest import cleaning, formats, metadata
    from ingest.pipeline import Prepared, to_simplified, write_prepared
    from ingest.writing import search_texts_for

    spent = dict.fromkeys(("read", "clean", "extract", "segment", "write"), 0.0)
    chars = 0

    def timed(stage, work, *args):
        began = time.process_time()
        out = work(*args)
        spent[stage] += time.process_time() - began
        return out

    for n, path in enumerate(paths):
        data = path.read_bytes()
        # Each pass needs new content: one character that no stage reads differently.
        raw, _header = timed("read", formats.to_text, data, path.name, 50_000_000)
        cleaned = timed("clean", cleaning.clean, raw + f"\n（第{n}次计时）")

        def extract(text, header):
            readable = cleaning.readable_copy(text, to_simplified)
            meta = metadata.extract(readable, header, extractor.matcher)
            return meta, extractor.extract(readable, meta)

        meta, extraction = timed("extract", extract, cleaned.text, cleaned.header)
        tokens = timed("segment", search_texts_for, cleaned.text, extraction)
        content_hash = hashlib.sha256(cleaned.text.encode("utf-8")).hexdigest()
        prepared = Prepared(path.name, cleaned.text, content_hash, meta, extraction, tokens)
        timed("write", write_prepared, prepared)
        chars += len(cleaned.text)
    return chars, spent


def print_stages(chars, spent):
    total = sum(spent.values())
    print(
        f"  stages, processor time of one process ({chars:,} characters): "
        + ", ".join(
            f"{stage} {seconds:.2f}s ({seconds / total:.0%}, {chars / seconds:,.0f}/s)"
            for stage, seconds in spent.items()
            if seconds
        )
        + f"; all stages {chars / total:,.0f} characters per processor second",
        flush=True,
    )


def segmenter_rate(paths):
    """Characters per second of ``segment_for_index`` alone over these documents' texts."""
    from initiatives.search.segmentation import segment_for_index

    texts = [path.read_text(encoding="utf-8") for path in paths]
    began = time.perf_counter()
    for text in texts:
        segment_for_index(text)
    return sum(map(len, texts)) / (time.perf_counter() - began)


PHRASES = [
    "发放创业担保贷款{n}万元，扶持{m}人创业",
    "开展职业技能培训{m}人次，新增就业{n}人",
    "开发公益性岗位{m}个，安置就业困难人员",
    "组织高校毕业生就业见习{m}人",
    "支持农民工返乡创业，带动就业{n}人",
    "落实失业保险稳岗返还资金{n}万元",
]


def region_dense_texts(megabytes, seed=7):
    """Round-up documents whose sentences each name a province, a city and its counties."""
    import random

    from regions.gazetteer import COUNTY, PREFECTURE, gazetteer

    rng = random.Random(seed)
    g = gazetteer()
    cities = [p for p in g.by_code.values() if p.level == PREFECTURE and g.counties_within(p.code)]
    size, n = 0, 0
    while size < megabytes * 1_000_000:
        year = 2010 + n % 15
        lines = [f"{year}年各地促进就业工作汇编（第{n}期）"]
        for section in range(6):
            lines.append(f"{'一二三四五六'[section]}、各地多措并举促进就业创业")
            sentences = []
            for _ in range(12):
                city = rng.choice(cities)
                counties = [p for p in g.counties_within(city.code) if p.level == COUNTY]
                named = rng.sample(counties, min(len(counties), rng.randint(2, 6)))
                province = g.get(city.province_code)
                places = "、".join(c.name if rng.random() < 0.7 else c.short_name for c in named)
                phrase = rng.choice(PHRASES).format(n=rng.randint(10, 9999), m=rng.randint(10, 999))
                sentences.append(f"{province.name}{city.name}{places}等地{phrase}。")
            lines.append("".join(sentences))
        text = "\n".join(lines)
        size += len(text.encode("utf-8"))
        n += 1
        yield text


def plan_texts(megabytes):
    size, n = 0, 0
    while size < megabytes * 1_000_000:
        for sample in SAMPLES:
            text = sample.read_text(encoding="utf-8").replace("2017年", f"{2000 + n % 25}年")
            text += f"\n(汇编第{n}号)"
            size += len(text.encode("utf-8"))
            n += 1
            yield text


def report(name, paths, extractor, jobs=1, with_stages=False):
    cpu = cpu_seconds()
    chars, seconds = run(paths, extractor, jobs)
    cpu = cpu_seconds() - cpu
    size = sum(path.stat().st_size for path in paths)
    print(
        f"{name}: {len(paths)} documents, {size / 1e6:.1f} MB, {chars:,} characters in"
        f" {seconds:.1f}s = {chars / seconds:,.0f} characters/s end to end"
        f"{f' with {jobs} processes' if jobs > 1 else ''}"
        f" ({chars / cpu:,.0f} per processor second, {cpu:.1f}s; load {os.getloadavg()[0]:.1f});"
        f" segmenter alone {segmenter_rate(paths):,.0f} characters/s",
        flush=True,
    )
    if with_stages:
        print_stages(*stages(paths, extractor))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan-mb", type=float, default=5)
    parser.add_argument("--dense-mb", type=float, default=10)
    parser.add_argument(
        "--jobs", type=int, default=1, help="ingest through `manage.py ingest --jobs N`"
    )
    parser.add_argument(
        "--stages", action="store_true", help="also time each stage (one process, CPU time)"
    )
    args = parser.parse_args()
    database = django.conf.settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and Path(database["NAME"]).exists():
        Path(database["NAME"]).unlink()
    call_command("migrate", verbosity=0)
    from initiatives.models import Document

    Document.objects.all().delete()
    began = time.perf_counter()
    extractor = Extractor(gazetteer(), Vocabulary.from_database())
    from initiatives.search.segmentation import segment_for_index

    segment_for_index("预热分词词典")
    print(
        f"startup (gazetteer, vocabularies, jieba dictionary): {time.perf_counter() - began:.2f}s"
    )
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    report("sample corpus", SAMPLES, extractor, args.jobs, args.stages)
    for name, texts in (
        ("plan (samples repeated)", plan_texts(args.plan_mb)),
        ("region-dense round-ups", region_dense_texts(args.dense_mb)),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for n, text in enumerate(texts):
                path = Path(tmp) / f"synthetic_{n:05d}.txt"
                path.write_text(text, encoding="utf-8")
                paths.append(path)
            report(name, paths, extractor, args.jobs, args.stages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MiB; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
