"""An admin upload of a ~5 MB document: how long the request takes, and the worker after it.

    .venv/bin/python benchmarks/bench_background_upload.py --database sqlite
    .venv/bin/python benchmarks/bench_background_upload.py --database postgres

The compilation of ``bench_large_document.py`` is posted to the upload page of a scratch
database (SQLite /tmp/bench_background_upload.sqlite3 or the PostgreSQL database
``bench_background_upload``: dropped and created here; never point this at real data) by a logged-in curator, with production settings and
the database queue. The script prints the request's time and status, what the status page
says, then runs the real worker (``manage.py db_worker --batch``, a separate process) and
prints its time, the worker's peak memory, and the status page again.
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_large_document  # noqa: E402
from bench_large_document import SETTINGS, compilation, prepare_database  # noqa: E402

# Its own scratch databases, so that it can run beside the large-document benchmark.
bench_large_document.SQLITE_PATH = Path("/tmp/bench_background_upload.sqlite3")
bench_large_document.PG_NAME = "bench_background_upload"


def state_line(client, url):
    html = client.get(url).content.decode()
    state = re.search(r'id="upload-state" data-state="(\w+)"', html).group(1)
    files = re.findall(r'class="upload-file state-(\w+)"', html)
    return f"upload {state}, files {files}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--megabytes", type=float, default=5.0)
    args = parser.parse_args()

    settings_dir = tempfile.mkdtemp(prefix="bench-upload-")
    Path(settings_dir, "bench_large_settings.py").write_text(SETTINGS)
    sys.path[:0] = [settings_dir, str(ROOT)]
    os.environ.update(
        DATABASE_URL=prepare_database(args.database),
        DJANGO_SETTINGS_MODULE="bench_large_settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-" + "x" * 60,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_REQUEST_LOG="false",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from initiatives.models import Document, Upload

    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    user = User.objects.create_superuser("bench", password="pw", email="")
    client = Client()
    client.force_login(user)
    data = compilation(int(args.megabytes * 1e6)).encode("utf-8")

    began = time.perf_counter()
    response = client.post(
        "/admin/initiatives/document/upload/",
        {"files": [SimpleUploadedFile("compilation.txt", data)]},
    )
    request_seconds = time.perf_counter() - began
    upload = Upload.objects.get()
    status_url = f"/admin/initiatives/document/uploads/{upload.pk}/"
    print(
        f"{args.database}: upload of {len(data) / 1e6:.1f} MB answered {response.status_code} "
        f"-> {response.get('Location')} in {request_seconds * 1000:.0f} ms; "
        f"documents now: {Document.objects.count()}; {state_line(client, status_url)}"
    )

    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": settings_dir},
    )
    worker_seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"worker: {worker_seconds:.1f} s, peak RSS {peak:.0f} MiB; "
        f"documents now: {Document.objects.count()}; {state_line(client, status_url)}"
    )


if __name__ == "__main__":
    main()
