"""The English interface: a complete, compiled catalog, and English pages that use it.

The public pages are English under /en/ and Chinese at the root (config.languages); the
admin still picks English from the ``django_language`` cookie or ``Accept-Language``. Pages
also show
data in Chinese (region, theme and instrument names, document titles and text, the Chinese
half of the data dictionary), so the page checks look for *interface* strings - the
catalog's own Chinese msgids - rather than for any Chinese character at all.
"""

import json
import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from initiatives.exports import knowledge_base
from initiatives.models import PolicyInstrument, Theme
from regions.models import Region
from tests.factories import make_document, make_initiative, make_target

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|%%|\{\{.*?\}\}|\{\w*\}")
PAGES = ["/", "/initiatives/", "/targets/", "/data/", "/admin/login/"]
PUBLIC_PAGES = PAGES[:4]
NAV = ["Home", "Search initiatives", "Targets and results", "Data dictionary"]


# --- The catalog ---------------------------------------------------------------------------


def _unquote(lines):
    return "".join(json.loads(line) for line in lines)


def _parse_po(text):
    """Entries as dicts (msgctxt, msgid, msgid_plural, msgstrs, flags); obsolete ones skipped.

    A small stand-in for polib (not a project dependency) that covers what makemessages writes.
    """
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags, parts, key = set(), {}, None
        for line in lines:
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                parts[key].append(line)
            else:
                key, _, rest = line.partition(" ")
                parts[key] = [rest]
        strs = sorted(k for k in parts if k.startswith("msgstr"))
        entries.append(
            {
                "msgctxt": _unquote(parts["msgctxt"]) if "msgctxt" in parts else None,
                "msgid": _unquote(parts["msgid"]),
                "msgid_plural": _unquote(parts["msgid_plural"])
                if "msgid_plural" in parts
                else None,
                "msgstrs": [_unquote(parts[k]) for k in strs],
                "flags": flags,
            }
        )
    return [entry for entry in entries if entry["msgid"]]  # drop the header


def _load_entries():
    try:
        import polib
    except ImportError:
        return _parse_po(PO_PATH.read_text(encoding="utf-8"))
    return [
        {
            "msgctxt": entry.msgctxt,
            "msgid": entry.msgid,
            "msgid_plural": entry.msgid_plural or None,
            "msgstrs": (
                [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
                if entry.msgid_plural
                else [entry.msgstr]
            ),
            "flags": set(entry.flags),
        }
        for entry in polib.pofile(str(PO_PATH))
        if not entry.obsolete and entry.msgid
    ]


ENTRIES = _load_entries()


def _label(entry):
    return entry["msgid"][:40]


def test_catalog_was_read():
    assert len(ENTRIES) > 300
    assert any(entry["msgid"] == "数据说明" for entry in ENTRIES)


def test_every_entry_is_translated():
    untranslated = [_label(e) for e in ENTRIES if not all(s.strip() for s in e["msgstrs"])]
    assert untranslated == []


def test_no_entry_is_fuzzy():
    assert [_label(e) for e in ENTRIES if "fuzzy" in e["flags"]] == []


def test_plural_entries_fill_both_forms():
    plural = [e for e in ENTRIES if e["msgid_plural"]]
    assert plural
    assert [_label(e) for e in plural if len(e["msgstrs"]) != 2] == []


def test_translations_keep_their_placeholders():
    changed = []
    for entry in ENTRIES:
        sources = [entry["msgid"], entry["msgid_plural"] or entry["msgid"]]
        for source, msgstr in zip(sources, entry["msgstrs"], strict=False):
            if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(msgstr)):
                changed.append(_label(entry))
    assert changed == []


def test_compiled_catalog_matches_the_po_file():
    """The .mo in use says what the .po says (i.e. compilemessages was run after editing)."""
    stale = []
    with translation.override("en"):
        for entry in ENTRIES:
            msgid, context, strs = entry["msgid"], entry["msgctxt"], entry["msgstrs"]
            if entry["msgid_plural"]:
                plural = entry["msgid_plural"]
                if context:
                    got = [translation.npgettext(context, msgid, plural, n) for n in (1, 5)]
                else:
                    got = [translation.ngettext(msgid, plural, n) for n in (1, 5)]
            elif context:
                got = [translation.pgettext(context, msgid)]
            else:
                got = [translation.gettext(msgid)]
            if got != strs:
                stale.append(_label(entry))
    assert stale == []


# --- English pages -------------------------------------------------------------------------

# Interface strings: the catalog's msgids with Chinese in them, as they render (%% -> %).
INTERFACE = {e["msgid"].replace("%%", "%") for e in ENTRIES if HAN.search(e["msgid"])}


def _data_strings():
    """Chinese strings that pages show as data, which may coincide with an interface msgid."""
    strings = set()
    for region in Region.objects.all():
        strings.update([region.name, region.short_name, *region.aliases])
    for theme in Theme.objects.all():
        strings.update([theme.name_zh, *theme.cues, *theme.heading_cues])
    for instrument in PolicyInstrument.objects.all():
        strings.update([instrument.name, *instrument.synonyms])
    for table in knowledge_base.TABLES:
        strings.add(table.zh)
        for column in table.columns:
            strings.update([column.zh, column.example])
    return strings


def _visible_strings(html):
    """Text nodes and the user-facing attributes, each stripped, entities decoded."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html)
    attributes = re.findall(r'\b(?:title|aria-label|placeholder|alt|value)="([^"]*)"', html)
    texts = re.sub(r"<[^>]+>", "\n", html).split("\n")
    return {unescape(s).strip() for s in [*texts, *attributes]} - {""}


def english_url(url):
    """/initiatives/ → /en/initiatives/; the admin has one address (the cookie chooses)."""
    return url if url.startswith("/admin/") else "/en" + url


def get_english(client, url):
    client.cookies["django_language"] = "en"
    response = client.get(english_url(url))
    assert response.status_code == 200, url
    html = response.content.decode()
    assert re.search(r'<html lang="en[-"]', html), url
    return html


@pytest.fixture
def corpus(db):
    document = make_document(
        text="一、总体情况\n乐山市推出创业担保贷款，帮助返乡农民工创业。城镇新增就业20000人。",
        title="乐山市2019年就业工作总结",
        year=2019,
    )
    initiative = make_initiative(
        document=document,
        text="乐山市推出创业担保贷款，帮助返乡农民工创业。",
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )
    make_target(
        document=document, initiative=initiative, region="511100", text="城镇新增就业20000人"
    )
    return initiative


@pytest.mark.django_db
@pytest.mark.parametrize("with_data", [False, True], ids=["empty", "with-data"])
@pytest.mark.parametrize("url", PAGES)
def test_english_pages_show_no_untranslated_interface_text(client, request, url, with_data):
    if with_data:
        request.getfixturevalue("corpus")
    html = get_english(client, url)
    leaked = (_visible_strings(html) & INTERFACE) - _data_strings()
    assert sorted(leaked) == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_english_pages_have_the_english_navigation(client, corpus, url):
    html = get_english(client, url)
    for label in NAV:
        assert f">{label}</a>" in html, (url, label)
    assert "Skip to content" in html or "Skip to results" in html
    assert "machine-extracted entries are marked “not yet reviewed”" in html
    for chinese in ("检索举措", "目标与成效", "数据说明", "跳到正文", "跳到结果", "主导航"):
        assert chinese not in html, (url, chinese)


@pytest.mark.django_db
def test_english_home_page(client, corpus):
    html = get_english(client, "/")
    for text in ("Search", "Data dictionary", "Browse by theme", "Browse by province"):
        assert text in html
    assert "Latest documents" in html
    # The language switch offers the other language, in that language.
    assert '<a href="/" hreflang="zh-Hans" lang="zh-Hans">简体中文</a>' in html


@pytest.mark.django_db
def test_english_pages_on_an_empty_site_are_free_of_chinese_apart_from_the_switch(client):
    """With no documents, /targets/ has no data at all: every Chinese string is interface."""
    html = get_english(client, "/targets/")
    chinese = {s for s in _visible_strings(html) if HAN.search(s)}
    assert chinese == {"简体中文"}


@pytest.mark.django_db
def test_the_address_not_the_browser_chooses_the_language_of_a_page(client, corpus):
    """A shared link shows what its sender saw: the root is Chinese whatever the browser
    asks for or the cookie says, /en/ is English."""
    client.cookies["django_language"] = "en"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "数据说明" in html and ">English</a>" in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/en/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert '<html lang="en">' in html
    assert "Data dictionary" in html and "数据说明" not in html


@pytest.mark.django_db
def test_accept_language_still_selects_english_in_the_admin(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in" in response.content.decode()


@pytest.mark.django_db
def test_english_data_dictionary(client, corpus):
    html = get_english(client, "/data/")
    for text in (
        "Downloads and API",
        "Initiative fields",
        "Target and result fields",
        "Normalisation of values",
        "Region codes",
        "How to cite",
        "Provenance and licence",
        "Percentages are stored as numbers: 6% has value 6 and unit % (not 0.06).",
    ):
        assert text in html, text


@pytest.mark.django_db
def test_english_admin_login(client):
    html = get_english(client, "/admin/login/")
    assert "Username" in html and "Log in" in html


@pytest.mark.django_db
def test_english_admin_login_has_no_chinese(client):
    html = get_english(client, "/admin/login/")
    assert not HAN.search(" ".join(_visible_strings(html)))
