""" "Cite this": the dataset as a whole, one initiative or one target, as plain text and as
BibTeX. Addresses come from SITE_URL (as in every export), the accessed date is today's.

An initiative or target is cited through its source: the issuing body, the document's title
and date, then the knowledge base's permalink and the row's stable key (the id may change when
curators merge rows; the key follows the sentence)."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from initiatives.models import Release

TITLE_ZH = "地方就业举措知识库"
TITLE_EN = "Local employment initiatives knowledge base"
_LATEX_SPECIAL = re.compile(r"([\\{}%&#_$^~])")


@dataclass(frozen=True)
class Citation:
    text: str
    bibtex: str
    fields: dict  # what the citation names, for tests and the page


def site_url():
    return settings.SITE_URL.rstrip("/")


def publisher():
    """The site that publishes the data: its host name (``kb.example.org``)."""
    return urlsplit(site_url()).netloc or site_url()


def _tex(value):
    return _LATEX_SPECIAL.sub(r"\\\1", str(value))


def _bibtex(kind, key, fields):
    lines = [f"@{kind}{{{key},"]
    for name, value in fields.items():
        if value in (None, ""):
            continue
        value = value if name in ("url", "urldate") else _tex(value)
        lines.append(f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines)


def _key(*parts):
    return re.sub(r"[^A-Za-z0-9_]+", "_", "_".join(str(p) for p in parts if p)).strip("_")


def current_version(changed_at):
    """The version of the full download if a release of the current data was recorded
    (written by a download or ``export package``), else the date part alone: the digest is
    only known once every table has been written."""
    release = Release.objects.order_by("-pk").only("version", "created").first()
    if release is not None and release.created == changed_at:
        return release.version
    return f"{changed_at.year}.{changed_at.month}.{changed_at.day}"


def dataset(changed_at, today=None):
    today = today or timezone.localdate()
    version = current_version(changed_at)
    url = f"{site_url()}/data/"
    text = (
        f"{TITLE_ZH} ({TITLE_EN}). {publisher()}, version {version} "
        f"(data as of {changed_at.date().isoformat()}). {url} "
        f"(accessed {today.isoformat()}). Licence: {settings.DATA_LICENSE}."
    )
    bibtex = _bibtex(
        "misc",
        _key("local_employment_initiatives", version.split("+")[0]),
        {
            "title": f"{TITLE_ZH} ({TITLE_EN})",
            "publisher": publisher(),
            "year": str(changed_at.year),
            "version": version,
            "url": url,
            "urldate": today.isoformat(),
            "note": f"Data package (CSV, Frictionless datapackage.json), licence "
            f"{settings.DATA_LICENSE}",
        },
    )
    fields = {"version": version, "url": url, "accessed": today.isoformat()}
    return Citation(text, bibtex, fields)


def _source(document):
    """``成都市人民政府办公厅：《…》（2022年4月）``: the document as its issuer published it."""
    issuer = document.issuer or ""
    date = document.issued_text or (f"{document.year}年" if document.year else "")
    number = f"，{document.doc_number}" if document.doc_number else ""
    text = f"{issuer}：" if issuer else ""
    text += f"《{document.title}》"
    if date or number:
        text += f"（{date}{number}）".replace("（，", "（")
    return text


def _row(kind, row, label, today):
    today = today or timezone.localdate()
    document = row.document
    url = f"{site_url()}{row.get_absolute_url()}"
    key = row.key or str(row.pk)
    if get_language() == "en":
        text = (
            f"{_source(document)}. {label}. In: {TITLE_EN} ({publisher()}), {url}, "
            f"key {key} (accessed {today.isoformat()})."
        )
    else:
        text = (
            f"{_source(document)}。{label}，见{TITLE_ZH}（{publisher()}），{url}，键 {key}"
            f"（访问于 {today.isoformat()}）。"
        )
    year = str(document.issued_on.year) if document.issued_on else str(document.year or "")
    bibtex = _bibtex(
        "misc",
        _key(kind, key),
        {
            "title": label,
            "author": document.issuer,
            "year": year,
            "date": document.issued_iso,
            "note": f"{_source(document)}. Quoted in {TITLE_EN} ({publisher()}), {kind} key {key}",
            "url": url,
            "urldate": today.isoformat(),
        },
    )
    fields = {
        "document": document.title,
        "issuer": document.issuer,
        "date": document.issued_text,
        "url": url,
        "key": key,
        "accessed": today.isoformat(),
    }
    return Citation(text, bibtex, fields)


def initiative(row, today=None):
    return _row("initiative", row, row.title, today)


def target(row, today=None):
    label = f"{row.indicator} {row.exact_text}".strip()
    return _row("target", row, label, today)
