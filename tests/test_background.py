"""Background ingest: an upload is stored and queued, a worker reads it, the status page follows.

The queue here is the site's own (the database backend); the worker's step is run in the
test's process by ``run_queued``, which takes the next task from the queue table exactly as
``manage.py db_worker`` does (the task and its arguments read back from the database).
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

import ingest.pipeline as pipeline
from initiatives.models import CurationActivity, Document, Upload, UploadFile
from tests.factories import make_user
from tests.test_curation import FILE_NAME, SUMMARY
from tests.test_ingest_limits import zip_bomb_docx

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/initiatives/document/upload/"
UPLOADS_URL = "/admin/initiatives/document/uploads/"
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
OPINION = SAMPLES / "003_491a0ddbe42c3406.txt"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def curator_client(client):
    client.force_login(make_user(groups=["Curators"]))
    return client


def run_queued():
    """Run every waiting task as the worker would; the number run."""
    n = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim("test-worker")
        task_result = result.task_result
        value = result.task.call(*task_result.args, **task_result.kwargs)
        result.set_successful(value)
        n += 1
    return n


def status_of(client, upload_id):
    """What the status page shows: the upload's state and each file's (name, state)."""
    page = client.get(f"{UPLOADS_URL}{upload_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    state = re.search(r'id="upload-state" data-state="(\w+)"', html).group(1)
    return state, [(f.name, f.state) for f in page.context["files"]], html


def test_an_upload_returns_at_once_and_the_status_page_follows_the_worker(
    curator_client, database_queue, monkeypatch
):
    response = curator_client.post(
        UPLOAD_URL,
        {
            "files": [
                SimpleUploadedFile(FILE_NAME, SUMMARY.encode()),
                SimpleUploadedFile("bomb.docx", zip_bomb_docx(300)),
                SimpleUploadedFile("opinion.txt", OPINION.read_bytes()),
            ]
        },
    )
    # The request wrote nothing but the upload: no document yet, one task waiting.
    upload = Upload.objects.get()
    assert response.status_code == 302 and response.url == f"{UPLOADS_URL}{upload.pk}/"
    assert not Document.objects.exists()
    assert DBTaskResult.objects.ready().count() == 1
    state, files, html = status_of(curator_client, upload.pk)
    assert state == "queued"
    assert files == [(FILE_NAME, "queued"), ("bomb.docx", "queued"), ("opinion.txt", "queued")]
    assert "0/3 个文件已处理" in html
    assert '<meta http-equiv="refresh"' in html  # it keeps itself up to date

    # While the worker is at the first file, the page says which step it is at.
    seen = []
    read, extract = pipeline.read_and_clean, pipeline.metadata.extract

    def reading(*args, **kwargs):
        seen.append(status_of(curator_client, upload.pk)[:2])
        return read(*args, **kwargs)

    def extracting(*args, **kwargs):
        seen.append(status_of(curator_client, upload.pk)[:2])
        return extract(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read_and_clean", reading)
    monkeypatch.setattr(pipeline.metadata, "extract", extracting)
    assert run_queued() == 1
    assert seen[0] == (
        "running",
        [(FILE_NAME, "reading"), ("bomb.docx", "queued"), ("opinion.txt", "queued")],
    )
    assert seen[1] == (
        "running",
        [(FILE_NAME, "extracting"), ("bomb.docx", "queued"), ("opinion.txt", "queued")],
    )
    # The hostile file, second, stopped nothing: the third was read after it.
    assert seen[2][1][:2] == [(FILE_NAME, "done"), ("bomb.docx", "reading")]
    assert seen[-1][1] == [
        (FILE_NAME, "done"),
        ("bomb.docx", "refused"),
        ("opinion.txt", "extracting"),
    ]

    state, files, html = status_of(curator_client, upload.pk)
    assert state == "done"
    assert files == [(FILE_NAME, "done"), ("bomb.docx", "refused"), ("opinion.txt", "done")]
    assert "3/3 个文件已处理，2 份文件已导入或已存在，1 个未导入" in html
    assert '<meta http-equiv="refresh"' not in html
    # The refusal gives its reason, and each document made is linked for review.
    bomb = UploadFile.objects.get(name="bomb.docx")
    assert bomb.message == (
        "无法读取：.docx package unpacks to 315 MB, above the 268 MB limit (a zip bomb?)。"
        "未写入任何内容。"
    )
    assert bomb.message in html and bytes(bomb.data) == b""
    made = Document.objects.order_by("pk")
    assert [d.file_name for d in made] == [FILE_NAME, "opinion.txt"]
    for document in made:
        assert f'href="/admin/initiatives/document/{document.pk}/change/"' in html
        assert f"?document__id__exact={document.pk}" in html
        assert document.uploaded_by.groups.filter(name="Curators").exists()
    # Who loaded what is in the activity log, as for any upload.
    notes = set(CurationActivity.objects.values_list("note", flat=True))
    assert f"上传导入《{FILE_NAME}》：4 条举措，5 个指标" in notes
    # The list of recent uploads leads back to it, on its own page and under the form.
    listing = curator_client.get(UPLOADS_URL).content.decode()
    assert f'href="{UPLOADS_URL}{upload.pk}/"' in listing and "3/3，1 个未导入" in listing
    assert f'href="{UPLOADS_URL}{upload.pk}/"' in curator_client.get(UPLOAD_URL).content.decode()


def test_a_task_run_twice_does_not_ingest_twice(curator_client, database_queue):
    curator_client.post(UPLOAD_URL, {"files": [SimpleUploadedFile(FILE_NAME, SUMMARY.encode())]})
    upload = Upload.objects.get()
    run_queued()
    from initiatives.curation.uploads import ingest_upload

    assert ingest_upload.call(upload.pk) == 0
    assert Document.objects.count() == 1
    assert CurationActivity.objects.count() == 1


def test_a_fault_of_the_site_ends_the_upload_with_its_reason(
    curator_client, database_queue, monkeypatch
):
    curator_client.post(UPLOAD_URL, {"files": [SimpleUploadedFile(FILE_NAME, SUMMARY.encode())]})
    upload = Upload.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "read_and_clean", broken)
    with pytest.raises(RuntimeError):
        run_queued()
    state, _files, html = status_of(curator_client, upload.pk)
    assert state == "failed" and "导入中断：RuntimeError: disk full" in html


def test_status_pages_are_for_curators_and_unknown_uploads_are_404(client):
    for url in (UPLOADS_URL, f"{UPLOADS_URL}1/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/")
    # Staff who may not add documents see no uploads.
    client.force_login(make_user())
    assert client.get(UPLOADS_URL).status_code == 403
    client.force_login(make_user(groups=["Curators"]))
    assert client.get(UPLOADS_URL).status_code == 200
    assert client.get(f"{UPLOADS_URL}999/").status_code == 404


def test_the_command_queues_a_folder_in_the_background(database_queue, tmp_path):
    (tmp_path / "a.txt").write_text(SUMMARY, encoding="utf-8")
    (tmp_path / "b.text").write_bytes(OPINION.read_bytes())  # a suffix only the command takes
    out = StringIO()
    call_command("ingest", str(tmp_path), "--background", stdout=out, stderr=StringIO())
    upload = Upload.objects.get()
    assert f"2 documents queued as upload {upload.pk}" in out.getvalue()
    assert f"{UPLOADS_URL}{upload.pk}/" in out.getvalue()
    assert not Document.objects.exists()
    run_queued()
    upload.refresh_from_db()
    assert upload.state == "done" and upload.uploaded_by is None
    assert sorted(Document.objects.values_list("file_name", flat=True)) == ["a.txt", "b.text"]


def test_without_background_the_command_still_ingests_at_once(database_queue, tmp_path):
    (tmp_path / "a.txt").write_text(SUMMARY, encoding="utf-8")
    out = StringIO()
    call_command("ingest", str(tmp_path), stdout=out, stderr=StringIO())
    assert "1 documents: 1 created" in out.getvalue()
    assert Document.objects.count() == 1 and not Upload.objects.exists()


def test_an_upload_left_half_done_by_a_stopped_worker_is_queued_again(
    curator_client, database_queue
):
    curator_client.post(
        UPLOAD_URL,
        {
            "files": [
                SimpleUploadedFile(FILE_NAME, SUMMARY.encode()),
                SimpleUploadedFile("opinion.txt", OPINION.read_bytes()),
            ]
        },
    )
    upload = Upload.objects.get()
    # A worker took the task, wrote the first document and was killed in the second.
    DBTaskResult.objects.ready().get().claim("gone")
    from initiatives.curation.uploads import ingest_file

    ingest_file(upload, upload.files.get(position=0))
    Upload.objects.filter(pk=upload.pk).update(state="running")
    UploadFile.objects.filter(upload=upload, position=1).update(state="extracting")
    assert run_queued() == 0  # nothing left in the queue: it would stay "running" for ever

    out = StringIO()
    call_command("requeue_uploads", stdout=out)
    assert out.getvalue().strip() == f"1 upload(s) queued again: {upload.pk}"
    assert run_queued() == 1
    state, files, _html = status_of(curator_client, upload.pk)
    assert state == "done" and files == [(FILE_NAME, "done"), ("opinion.txt", "done")]
    assert Document.objects.count() == 2
    # Once done, nothing is left to queue again.
    call_command("requeue_uploads", stdout=out)
    assert run_queued() == 0


def test_the_results_are_written_in_the_uploaders_language(curator_client):
    curator_client.cookies["django_language"] = "en"
    response = curator_client.post(
        UPLOAD_URL,
        {
            "files": [
                SimpleUploadedFile("notes.xls", b"whatever"),
                SimpleUploadedFile(FILE_NAME, SUMMARY.encode()),
            ]
        },
        follow=True,
    )
    html = response.content.decode()
    assert "This type of file is not supported; please upload .txt" in html
    assert "New document “乐山市2017年就业创业工作总结”: 4 initiatives, 5 targets." in html
    assert "2/2 files processed, 1 documents imported or already there, 1 not imported" in html
