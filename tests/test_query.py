"""The search box's syntax: places become region filters, ``-word`` / ``NOT word`` exclude.

Checked on the sample corpus (fixtures/documents) through the page and the CSV export, which
share one filter set; on SQLite and PostgreSQL alike.
"""

import csv
import io
import re
from html import unescape
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.core.management import call_command

from initiatives.models import Initiative, InitiativeRegion
from initiatives.search import fulltext as search
from initiatives.search.query import ANY, EXCLUDE, INSTRUMENT, PHRASE, REGION, WORD, parse
from initiatives.search.segmentation import query_terms
from regions.gazetteer import gazetteer

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


@pytest.fixture
def samples():
    call_command("ingest", str(SAMPLES), stdout=StringIO(), stderr=StringIO())


def page(client, q, **more):
    response = client.get("/initiatives/?" + urlencode({"q": q, **more}))
    assert response.status_code == 200
    return response.content.decode()


def result_count(html):
    return int(re.search(r"共 (\d+) 条举措", html).group(1))


def csv_ids(client, q):
    response = client.get("/initiatives/export.csv?" + urlencode({"q": q}))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {int(row["id"]) for row in csv.DictReader(io.StringIO(text))}


def api_ids(client, q):
    ids, page = [], 1
    while True:
        response = client.get("/api/initiatives?" + urlencode({"q": q, "page": page}))
        assert response.status_code == 200
        data = response.json()
        ids += [row["id"] for row in data["results"]]
        if len(ids) >= data["count"] or not data["results"]:
            break
        page += 1
    assert len(ids) == data["count"]
    return set(ids)


def chips(html):
    return {
        unescape(label): unescape(href)
        for href, label in re.findall(r'<a class="chip" href="([^"]+)"><span>([^<]+)</span>', html)
    }


def test_places_exclusions_and_words_are_told_apart():
    parsed = parse("乐山 创业  -贷款　NOT 见习 巨鹿县 金牛区 四川")
    assert [t.kind for t in parsed.tokens] == [
        REGION,
        WORD,
        EXCLUDE,
        EXCLUDE,
        REGION,
        REGION,
        REGION,
    ]
    assert parsed.text == "创业"
    assert parsed.excluded == ["贷款", "见习"]
    names = [gazetteer().get(code).name for code in parsed.region_codes]
    assert names[0] == "乐山市" and "巨鹿县" in names and "四川省" in names
    assert any(name == "金牛区" for name in names)
    # Dropping one part keeps the rest as typed.
    assert parsed.without(position=0) == "创业 -贷款 NOT 见习 巨鹿县 金牛区 四川"
    assert parsed.without(kind=EXCLUDE) == "乐山 创业 巨鹿县 金牛区 四川"


def test_a_lone_minus_or_not_is_an_ordinary_word():
    parsed = parse("- NOT")
    assert [t.kind for t in parsed.tokens] == [WORD, WORD]
    assert parsed.excluded == []


def test_a_place_name_in_the_box_keeps_only_that_places_rows(client, samples):
    html = page(client, "乐山 创业")
    found = result_count(html)
    assert found > 0
    ids = csv_ids(client, "乐山 创业")
    assert len(ids) == found
    # Every row is placed in 乐山市 (issuer or covered) and holds 创业.
    leshan = set(
        InitiativeRegion.objects.filter(
            role__in=InitiativeRegion.COUNTED_ROLES, region__prefecture_id="511100"
        ).values_list("initiative_id", flat=True)
    ) | set(
        InitiativeRegion.objects.filter(
            role__in=InitiativeRegion.COUNTED_ROLES, region_id="511100"
        ).values_list("initiative_id", flat=True)
    )
    assert ids <= leshan
    assert all(
        "创业" in t for t in Initiative.objects.filter(pk__in=ids).values_list("text", flat=True)
    )
    # Without the place the word alone finds rows elsewhere too.
    assert result_count(page(client, "创业")) > found


def test_minus_word_excludes_the_rows_holding_it(client, samples):
    every = csv_ids(client, "创业")
    kept = csv_ids(client, "创业 -贷款")
    with_loan = {
        pk
        for pk, title, text in Initiative.objects.filter(pk__in=every).values_list(
            "pk", "title", "text"
        )
        if "贷款" in title + text
    }
    assert with_loan, "the sample corpus has 创业 rows about 贷款"
    assert kept == every - with_loan
    assert result_count(page(client, "创业 -贷款")) == len(kept)
    assert csv_ids(client, "创业 NOT 贷款") == kept
    # The JSON API reads the query the same way (over the facet index, not SQL).
    assert api_ids(client, "创业 -贷款") == kept
    assert api_ids(client, "乐山 创业") == csv_ids(client, "乐山 创业")


def test_place_and_exclusion_chips_remove_only_their_part(client, samples):
    html = page(client, "乐山 创业 -贷款", sort="newest")
    found = chips(html)
    assert set(found) == {"“创业”", "在 乐山市 范围内", "不含“贷款”"}
    queries = {label: parse_qs(urlparse(url).query) for label, url in found.items()}
    assert queries["在 乐山市 范围内"] == {"q": ["创业 -贷款"], "sort": ["newest"]}
    assert queries["不含“贷款”"]["q"] == ["乐山 创业"]
    assert queries["“创业”"]["q"] == ["乐山 -贷款"]
    # Following a chip gives the search without that part.
    without_place = client.get("/initiatives/" + found["在 乐山市 范围内"]).content.decode()
    assert (
        result_count(without_place) == result_count(page(client, "创业 -贷款")) > result_count(html)
    )
    # The last part removed: no q at all.
    only_place = chips(page(client, "乐山"))
    assert parse_qs(urlparse(only_place["在 乐山市 范围内"]).query) == {}


# --- OR and "exact phrases" -------------------------------------------------------------


def holding(phrase):
    """The visible initiatives whose title or text holds ``phrase`` as typed."""
    return {
        pk
        for pk, title, text in Initiative.objects.visible().values_list("pk", "title", "text")
        if phrase in title or phrase in text
    }


def test_phrases_and_or_groups_are_read_from_the_box():
    parsed = parse('"就业 创业" 贷款 OR 见习 OR “返乡创业” -培训 四川')
    assert [t.kind for t in parsed.tokens] == [PHRASE, ANY, EXCLUDE, REGION]
    assert parsed.phrases == ["就业 创业"]
    assert [o.text for o in parsed.any_of[0]] == ["贷款", "见习", "返乡创业"]
    assert [o.kind for o in parsed.any_of[0]] == [WORD, WORD, PHRASE]
    assert parsed.searched_text == '"就业 创业" 贷款 OR 见习 OR “返乡创业”'
    # The searched part goes as a whole; the place and the exclusion stay as typed.
    assert parsed.without(kind=WORD) == "-培训 四川"
    # OR with nothing on one side, and an unclosed quote, are read sensibly.
    assert [t.kind for t in parse("OR 贷款 OR").tokens] == [WORD]
    assert parse('"返乡 创业').phrases == ["返乡 创业"]


def test_or_matches_either_word_on_every_path(client, samples):
    loans, traineeships = csv_ids(client, "贷款"), csv_ids(client, "见习")
    assert loans - traineeships and traineeships - loans
    either = csv_ids(client, "贷款 OR 见习")
    assert either == loans | traineeships
    assert result_count(page(client, "贷款 OR 见习")) == len(either)
    assert api_ids(client, "贷款 or 见习") == either
    # An OR group is ANDed with the other words.
    assert csv_ids(client, "创业 贷款 OR 见习") == csv_ids(client, "创业") & either


def test_a_quoted_phrase_must_appear_as_typed(client, samples):
    expected = holding("就业创业")
    words = csv_ids(client, "就业 创业")
    assert expected and expected < words, "the corpus has rows with both words apart"
    assert csv_ids(client, '"就业创业"') == expected
    assert csv_ids(client, "“就业创业”") == expected
    assert result_count(page(client, '"就业创业"')) == len(expected)
    assert api_ids(client, '"就业创业"') == expected
    # The phrase is highlighted whole in the snippets.
    assert "<mark>就业创业</mark>" in page(client, '"就业创业"')


def test_a_phrase_can_be_one_side_of_an_or(client, samples):
    expected = holding("就业创业") | csv_ids(client, "见习")
    assert csv_ids(client, '"就业创业" OR 见习') == expected
    assert api_ids(client, '"就业创业" OR 见习') == expected


@pytest.mark.parametrize("q", ['"', '""', '"%_\\\'"', '" OR "', "OR", '"！？"'])
def test_odd_quotes_and_ors_are_no_error(client, samples, q):
    html = page(client, q)
    assert "共" in html
    response = client.get("/initiatives/export.csv?" + urlencode({"q": q}))
    assert response.status_code == 200
    assert client.get("/api/initiatives?" + urlencode({"q": q})).status_code == 200


def test_the_word_chip_holds_phrases_and_or_groups(client, samples):
    found = chips(page(client, '"就业创业" OR 见习 乐山'))
    assert '“"就业创业" OR 见习”' in found
    assert parse_qs(urlparse(found['“"就业创业" OR 见习”']).query)["q"] == ["乐山"]


def test_english_words_stand_for_the_vocabularies_chinese_words():
    parsed = parse("Sichuan skills SYB employment")
    place, skills, syb, employment = parsed.tokens
    assert (place.kind, place.codes) == (REGION, ("510000",))
    assert skills.kind == ANY and skills.text == "skills"
    assert {"skills", "技能", "培训"} <= {o.text for o in skills.options}
    # An acronym found in Chinese documents (SYB training) is no vocabulary word: kept as typed.
    assert (syb.kind, syb.text) == (WORD, "SYB")
    # A word in many names is its plain Chinese word, not the first theme naming it.
    assert [o.text for o in employment.options] == ["employment", "就业"]
    assert parse("Julu County").region_codes == ["130529"]
    assert parse("leshan").region_codes == ["511100"]


def test_an_english_query_finds_the_chinese_rows(client, samples):
    skills = csv_ids(client, "skills")
    assert skills and csv_ids(client, "技能") <= skills and csv_ids(client, "培训") <= skills
    assert api_ids(client, "skills") == skills
    leshan_skills = csv_ids(client, "Leshan skills")
    assert leshan_skills and leshan_skills == csv_ids(client, "乐山 skills")
    assert leshan_skills < skills
    html = client.get("/en/initiatives/?q=skills").content.decode()
    assert '<html lang="en">' in html and "Sichuan" in html
    count = re.search(r"(\d+) initiatives?", html)
    assert count and int(count.group(1)) == len(skills), count


LOAN = "business-startup-guarantee-loan"  # 创业担保贷款, synonyms 小额担保贷款, 创业贷款


def tagged_with(slug):
    return set(
        Initiative.objects.visible().filter(instruments__slug=slug).values_list("pk", flat=True)
    )


def text_matching(word):
    """The visible initiatives whose indexed text holds ``word`` (what a plain word finds)."""
    found = Initiative.objects.visible().filter(search.matching(query_terms(word)))
    return set(found.values_list("pk", flat=True))


def api_order(client, q, **more):
    ids, page = [], 1
    while True:
        query = urlencode({"q": q, "page": page, "page_size": 100, **more})
        data = client.get("/api/initiatives?" + query).json()
        ids += [row["id"] for row in data["results"]]
        if len(ids) >= data["count"] or not data["results"]:
            return ids
        page += 1


def test_an_instrument_name_or_synonym_typed_whole_names_its_instrument():
    parsed = parse("乐山 小额担保贷款 -见习 创业担保贷款 OR 见习 创业")
    assert [t.kind for t in parsed.tokens] == [REGION, INSTRUMENT, EXCLUDE, ANY, WORD]
    assert parsed.tokens[1].instrument[1:] == (LOAN, "创业担保贷款")
    # In an OR group the name is a word; inside a longer word it is not read at all.
    assert [o.kind for o in parsed.tokens[3].options] == [WORD, WORD]
    assert parse("创业担保贷款政策").tokens[0].kind == WORD


def test_a_synonym_finds_the_rows_tagged_with_its_instrument(client, samples):
    tagged = tagged_with(LOAN)
    holding_synonym = text_matching("小额担保贷款")
    # The point: some tagged rows never write this synonym.
    assert tagged - holding_synonym
    expected = tagged | holding_synonym
    assert csv_ids(client, "小额担保贷款") == expected
    assert csv_ids(client, "创业担保贷款") == tagged | text_matching("创业担保贷款")
    # The SQL path (CSV by id), the in-memory path (API, sorted CSV) and the page agree.
    assert api_ids(client, "小额担保贷款") == expected
    sorted_csv = client.get("/initiatives/export.csv?q=小额担保贷款&sort=relevance")
    text = b"".join(sorted_csv.streaming_content).decode("utf-8-sig")
    assert {int(row["id"]) for row in csv.DictReader(io.StringIO(text))} == expected
    assert result_count(page(client, "小额担保贷款")) == len(expected)
    # With a place: the same meaning, narrowed to the place.
    leshan = csv_ids(client, "乐山 小额担保贷款")
    assert leshan and leshan < expected and api_ids(client, "乐山 小额担保贷款") == leshan


def test_relevance_order_puts_the_tagged_rows_first(client, samples):
    tagged = tagged_with(LOAN)
    order = api_order(client, "创业担保贷款")
    flags = [pk in tagged for pk in order]
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True)
    for q in ("创业担保贷款 就业", "创业 小额担保贷款"):
        flags = [pk in tagged for pk in api_order(client, q)]
        assert flags == sorted(flags, reverse=True), q
    # The other sorts keep their own order (newest first) over the same rows.
    newest = api_order(client, "创业担保贷款", sort="newest")
    assert set(newest) == set(api_order(client, "创业担保贷款"))
    assert [pk in tagged for pk in newest] != sorted([pk in tagged for pk in newest], reverse=True)


def test_exclusions_and_or_still_work_beside_an_instrument(client, samples):
    named = csv_ids(client, "创业担保贷款")
    trainees = csv_ids(client, "见习")
    jobs = csv_ids(client, "就业")
    kept = csv_ids(client, "创业担保贷款 -就业")
    assert kept == named - jobs and kept and kept < named
    assert api_ids(client, "创业担保贷款 -就业") == kept
    either = csv_ids(client, "创业担保贷款 OR 见习")
    assert either == text_matching("创业担保贷款") | trainees
    assert api_ids(client, "创业担保贷款 OR 见习") == either


def test_the_page_offers_the_instrument_as_a_strict_filter(client, samples):
    html = page(client, "乐山 小额担保贷款")
    assert "含政策工具：创业担保贷款" in html
    link = unescape(re.search(r'class="instrument-offer">.*?<a href="([^"]+)"', html).group(1))
    query = parse_qs(urlparse(link).query)
    assert query == {"q": ["乐山"], "instrument": [LOAN]}
    response = client.get("/initiatives/" + link)
    assert response.status_code == 200
    leshan_tagged = tagged_with(LOAN) & csv_ids(client, "乐山")
    assert result_count(response.content.decode()) == len(leshan_tagged) > 0
    # The word chip still holds the typed name, and removing it keeps the place.
    found = chips(html)
    assert parse_qs(urlparse(found["“小额担保贷款”"]).query)["q"] == ["乐山"]


def test_targets_read_an_instrument_name_as_the_initiatives_do(client, samples):
    from initiatives.models import Target

    initiatives = csv_ids(client, "小额担保贷款")
    expected = set(
        Target.objects.visible().filter(initiative_id__in=initiatives).values_list("pk", flat=True)
    )
    response = client.get("/targets/export.csv?" + urlencode({"q": "小额担保贷款"}))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    found = {int(row["id"]) for row in csv.DictReader(io.StringIO(text))}
    assert found == expected
    # Some come from tagged initiatives whose text never writes the synonym.
    tagged_only = tagged_with(LOAN) - text_matching("小额担保贷款")
    assert Target.objects.visible().filter(pk__in=found, initiative_id__in=tagged_only).exists()
