"""Full-text search and the filter layer: the same result sets on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.http import QueryDict

from initiatives.models import Initiative
from initiatives.pictures import charts
from initiatives.search import facet_index, facets
from initiatives.search.filters import InitiativeFilter, TargetFilter
from initiatives.search.fulltext import index_initiatives, remove_from_index
from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db


def found(query):
    """Ids the filter layer returns for a querystring."""
    return set(InitiativeFilter(QueryDict(query)).qs.values_list("pk", flat=True))


@pytest.fixture
def corpus():
    loan = make_initiative(
        text="乐山市推出创业担保贷款，帮助返乡农民工创业，全年发放贷款3.2亿元。",
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )
    graduates = make_initiative(
        text="成都市实施高校毕业生就业促进计划，开发见习岗位2000个。",
        regions=("510100",),
        themes=("graduates",),
        year=2020,
    )
    hebei = make_initiative(
        text="巨鹿县开展农民工职业技能培训，并提供小额担保贷款。",
        regions=("130533",),
        themes=("skills", "entrepreneurship"),
        year=2017,
    )
    hidden = make_initiative(
        text="隐藏条目：创业担保贷款的错误抽取。", regions=("510000",), status="hidden", year=2019
    )
    document = make_document(kind="plan", year=2021, text="全国推广创业担保贷款。")
    national = make_initiative(
        document=document, text="全国推广创业担保贷款。", regions=("000000",), year=2021
    )
    return {
        "loan": loan.pk,
        "graduates": graduates.pk,
        "hebei": hebei.pk,
        "hidden": hidden.pk,
        "national": national.pk,
    }


def test_it_finds_the_longer_instrument_name_from_a_shorter_query(corpus):
    assert found("q=担保贷款") == {corpus["loan"], corpus["hebei"], corpus["national"]}


def test_it_ands_the_query_words(corpus):
    assert found("q=创业担保贷款 乐山") == {corpus["loan"]}
    assert found("q=担保贷款 成都") == set()


def test_it_finds_words_inside_compounds(corpus):
    # Search-mode indexing keeps 农民 and 民工 inside 农民工, 毕业生 inside 高校毕业生.
    assert found("q=农民") == {corpus["loan"], corpus["hebei"]}
    assert found("q=民工") == {corpus["loan"], corpus["hebei"]}
    assert found("q=毕业生") == {corpus["graduates"]}
    assert found("q=高校毕业生") == {corpus["graduates"]}


def test_traditional_characters_find_simplified_text(corpus):
    assert found("q=創業擔保貸款") == {corpus["loan"], corpus["national"]}


def test_full_width_and_upper_case_are_folded(corpus):
    make_initiative(text="推广ＡＰＰ线上办理失业保险金申领。", year=2022)
    assert len(found("q=app")) == 1
    assert len(found("q=APP")) == 1


def test_hidden_initiatives_are_never_found(corpus):
    assert corpus["hidden"] not in found("q=创业担保贷款")
    assert corpus["hidden"] not in found("")


def test_a_province_includes_its_cities_and_counties(corpus):
    assert found("province=510000") == {corpus["loan"], corpus["graduates"]}
    assert found("province=130000") == {corpus["hebei"]}


def test_several_values_of_one_facet_are_or_and_facets_are_and(corpus):
    assert found("province=510000&province=130000") == {
        corpus["loan"],
        corpus["graduates"],
        corpus["hebei"],
    }
    assert found("province=510000&province=130000&theme=entrepreneurship") == {
        corpus["loan"],
        corpus["hebei"],
    }


def test_region_takes_any_level(corpus):
    assert found("region=511100") == {corpus["loan"]}  # prefecture
    assert found("region=130500") == {corpus["hebei"]}  # 邢台市 holds 巨鹿县
    assert found("region=130533") == {corpus["hebei"]}  # county
    assert found("region=510000") == {corpus["loan"], corpus["graduates"]}  # province


def test_years_single_and_range(corpus):
    assert found("year=2019") == {corpus["loan"]}
    assert found("year=2019&year=2017") == {corpus["loan"], corpus["hebei"]}
    assert found("year_min=2019&year_max=2020") == {corpus["loan"], corpus["graduates"]}
    assert found("year_min=2020") == {corpus["graduates"], corpus["national"]}


def test_instrument_by_slug_or_id(corpus):
    loan = Initiative.objects.get(pk=corpus["loan"]).instruments.get()
    assert found(f"instrument={loan.slug}") == {corpus["loan"]}
    assert found(f"instrument={loan.pk}") == {corpus["loan"]}


def test_document_kind(corpus):
    assert found("kind=plan") == {corpus["national"]}


def test_bad_values_are_dropped_and_reported_while_good_ones_apply(corpus):
    filter_set = InitiativeFilter(
        QueryDict("province=510000&province=999999&year=abc&year_min=xyz&theme=nope&sort=bogus")
    )
    assert set(filter_set.qs.values_list("pk", flat=True)) == {
        corpus["loan"],
        corpus["graduates"],
    }
    notices = " ".join(filter_set.notices)
    for bad in ("999999", "abc", "xyz", "nope"):
        assert bad in notices


def test_a_query_of_only_punctuation_is_ignored_and_said_so(corpus):
    filter_set = InitiativeFilter(QueryDict("q=！！？…"))
    assert filter_set.qs.count() == 4
    assert filter_set.notices


def test_a_very_long_query_is_shortened_not_refused(corpus):
    filter_set = InitiativeFilter(QueryDict(f"q={'创业' * 1000}"))
    assert filter_set.qs.count() == len(found("q=创业"))
    assert filter_set.notices


def test_mixed_chinese_and_english_queries(corpus):
    make_initiative(text="开发就业服务APP，实现创业补贴网上申领。", year=2022)
    assert len(found("q=APP 创业补贴")) == 1
    assert found("q=app 担保贷款") == set()


def test_sort_by_relevance_puts_better_matches_first(corpus):
    strong = make_initiative(text="创业担保贷款：扩大创业担保贷款规模，创业担保贷款贴息。")
    ids = list(InitiativeFilter(QueryDict("q=贷款")).qs.values_list("pk", flat=True))
    assert ids[0] == strong.pk
    # An instrument's name: the rows tagged with it first, then the text rank.
    ids = list(InitiativeFilter(QueryDict("q=创业担保贷款")).qs.values_list("pk", flat=True))
    tagged = set(
        Initiative.objects.filter(instruments__name="创业担保贷款").values_list("pk", flat=True)
    )
    assert corpus["loan"] in tagged and strong.pk not in tagged
    first = len([pk for pk in ids if pk in tagged])
    assert set(ids[:first]) == tagged & set(ids) and ids[first] == strong.pk
    pages = InitiativeFilter(QueryDict("q=创业担保贷款")).selection.ordered_ids("relevance")
    assert pages.tolist() == ids


def test_sort_newest_and_region(corpus):
    newest = list(InitiativeFilter(QueryDict("sort=newest")).qs.values_list("year", flat=True))
    assert newest == sorted(newest, reverse=True)
    by_region = list(InitiativeFilter(QueryDict("sort=region")).qs)
    assert by_region[0].pk == corpus["national"]  # 000000
    assert by_region[-1].pk == corpus["loan"]  # 511100


def test_editing_an_initiative_reindexes_it(corpus):
    initiative = Initiative.objects.get(pk=corpus["graduates"])
    initiative.title = initiative.text = "成都市设立大学生创业园。"
    initiative.save()
    assert corpus["graduates"] not in found("q=见习")
    assert corpus["graduates"] in found("q=创业园")


def test_deleted_initiatives_leave_the_index(corpus):
    Initiative.objects.filter(pk=corpus["loan"]).delete()
    make_initiative(text="新的创业担保贷款举措。")  # a new row must not inherit the old id's text
    assert corpus["loan"] not in found("q=乐山")
    assert found("q=乐山") == set()


def test_bulk_created_initiatives_are_found_after_index_initiatives():
    document = make_document(text="绵阳市设立返乡创业基金。")
    created = Initiative.objects.bulk_create(
        [
            Initiative(
                document=document,
                title="返乡创业基金",
                text="绵阳市设立返乡创业基金。",
                start=0,
                end=12,
                extractor_version="test",
            )
        ]
    )
    pk = created[0].pk or Initiative.objects.get(title="返乡创业基金").pk
    assert found("q=创业基金") == set()
    index_initiatives([pk])
    assert found("q=创业基金") == {pk}
    remove_from_index([pk])
    Initiative.objects.filter(pk=pk).delete()
    assert found("q=创业基金") == set()


def test_facet_counts_apply_every_other_filter(corpus):
    filter_set = InitiativeFilter(QueryDict("q=担保贷款&province=510000"))
    provinces = {f.value: f.count for f in facets.province_facet(filter_set)}
    # Province counts ignore the province filter itself but keep the query.
    assert len(provinces) == 34
    assert provinces["510000"] == 1
    assert provinces["130000"] == 1
    themes = {f.value: f.count for f in facets.theme_facet(filter_set)}
    assert themes["entrepreneurship"] == 1  # only 乐山 inside 四川 matches the query
    assert themes["skills"] == 0
    years, kinds, total = facets.year_and_kind_facets(filter_set)
    assert total == filter_set.qs.count() == 1
    assert {f.value: f.count for f in years} == {"2019": 1}
    assert {f.value: f.count for f in kinds} == {"summary": 1}


def test_a_chosen_province_opens_its_cities_with_counts(corpus):
    make_initiative(text="乐山市市中区建设创业孵化基地。", regions=("511102",), year=2018)
    filter_set = InitiativeFilter(QueryDict("province=510000&region=511100"))
    [(province, cities), (city, counties)] = facets.place_children_facet(filter_set)
    assert province.value == "510000"
    counts = {c.label: (c.count, c.selected) for c in cities}
    assert counts == {"成都市": (1, False), "乐山市": (2, True)}
    # The chosen city opens in turn: its counties with counts.
    assert city.value == "511100"
    assert {c.label: c.count for c in counties} == {"市中区": 1}


def test_year_and_kind_counts_respect_each_other(corpus):
    filter_set = InitiativeFilter(QueryDict("kind=plan&year=2019"))
    years, kinds, total = facets.year_and_kind_facets(filter_set)
    assert total == 0
    assert {f.value: f.count for f in years} == {"2021": 1, "2019": 0}
    assert {f.value: f.count for f in kinds}["summary"] == 1


def test_targets_filter_by_region_kind_and_year():
    sichuan = make_target(region="511100", kind="achieved", year=2019)
    make_target(region="130533", kind="target", year=2019)
    ids = set(
        TargetFilter(QueryDict("province=510000&target_kind=achieved&year=2019")).qs.values_list(
            "pk", flat=True
        )
    )
    assert ids == {sichuan.pk}
    bad = TargetFilter(QueryDict("target_kind=nonsense&region=abc"))
    assert bad.qs.count() == 2
    assert len(bad.notices) == 2


# Facet counts: the one-statement fast path against counting naively, value by value.

FACET_COMBINATIONS = [
    "",
    "q=创业",
    "q=就业&province=510000",
    "q=就业&province=510000&province=130000&theme=skills",
    "region=511100&year=2018&year=2020",
    "q=贷款&year_min=2015&year_max=2019&kind=plan&kind=summary",
    "theme=entrepreneurship&theme=graduates&instrument=1&instrument=2",
    "q=培训&province=440000&region=440100&theme=skills&year_min=2016&instrument=3&kind=news",
    "region=000000&kind=opinion",
    "q=没有这个词",
]


@pytest.fixture
def random_corpus():
    """A few hundred initiatives over random places (some with two, some in one province
    twice, some with none), themes, instruments, years (some missing) and document kinds."""
    import random

    from initiatives.models import Document, PolicyInstrument, Theme

    rng = random.Random(2260)
    places = [
        "510000",
        "511100",
        "510100",
        "511102",
        "130533",
        "130000",
        "440100",
        "440000",
        "000000",
        "110000",
    ]
    words = ["创业担保贷款", "就业见习", "技能培训", "公益性岗位", "返乡创业", "高校毕业生就业"]
    themes = list(Theme.objects.values_list("key", flat=True))
    instruments = list(PolicyInstrument.objects.order_by("pk").values_list("name", flat=True)[:6])
    documents = [make_document(kind=kind, text=f"{kind}文件") for kind in Document.Kind.values]
    for n in range(300):
        make_initiative(
            document=rng.choice(documents),
            text="，".join(rng.sample(words, rng.choice((1, 2)))) + f"（第{n}项）",
            regions=rng.sample(places, rng.choice((0, 1, 1, 1, 2, 2))),
            themes=rng.sample(themes, rng.choice((0, 1, 1, 2))),
            instruments=rng.sample(instruments, rng.choice((0, 1, 1, 2))),
            year=rng.choice((None, 2015, 2016, 2017, 2018, 2019, 2020)),
            status=rng.choice(("extracted", "reviewed", "reviewed", "hidden")),
        )


def text_match_statements():
    """Statements of one text match: PostgreSQL plans it in a transaction of its own (a
    savepoint inside a test's transaction) with SET LOCAL / RESET around it."""
    return 1 if connection.vendor == "sqlite" else 5


def naive_counts(query):
    """Each facet value's count as the filter layer itself returns it: that value chosen
    (added to the facet's own values: OR) with every other filter kept."""
    from django.db.models import Q

    from initiatives.models import Document, PolicyInstrument, Theme
    from regions.gazetteer import PROVINCE, gazetteer

    def count(data):
        return InitiativeFilter(data).filtered().count()

    def drop(*names):
        data = QueryDict(query, mutable=True)
        for name in names:
            data.pop(name, None)
        return data

    def one(names, name, value):
        data = drop(*names)
        data.setlist(name, [str(value)])
        return count(data)

    provinces = [p.code for p in gazetteer().by_code.values() if p.level == PROVINCE]
    return {
        "province": {c: one(("province", "region"), "province", c) for c in provinces},
        "theme": {
            key: one(("theme",), "theme", key)
            for key in Theme.objects.values_list("key", flat=True)
        },
        "instrument": {
            # The instruments in use and the chosen ones (every other one counts zero).
            str(pk): one(("instrument",), "instrument", pk)
            for pk in PolicyInstrument.objects.filter(
                Q(initiatives__isnull=False) | Q(pk__in=[1, 2, 3])
            )
            .values_list("pk", flat=True)
            .distinct()
        },
        "year": {y: one(("year", "year_min", "year_max"), "year", y) for y in range(2014, 2022)},
        "kind": {k: one(("kind",), "kind", k) for k in Document.Kind.values},
        "total": count(QueryDict(query)),
    }


def fast_counts(query):
    from initiatives.models import PolicyInstrument

    filter_set = InitiativeFilter(QueryDict(query))
    years, kinds, total = facets.year_and_kind_facets(filter_set)
    slugs = dict(PolicyInstrument.objects.values_list("slug", "pk"))
    return filter_set, {
        "province": {f.value: f.count for f in facets.province_facet(filter_set)},
        "theme": {f.value: f.count for f in facets.theme_facet(filter_set)},
        "instrument": {str(slugs[f.value]): f.count for f in facets.instrument_facet(filter_set)},
        "year": {int(f.value): f.count for f in years},
        "kind": {f.value: f.count for f in kinds},
        "total": total,
    }


@pytest.mark.parametrize("query", FACET_COMBINATIONS)
def test_fast_facet_counts_equal_naive_counts(random_corpus, query, django_assert_num_queries):
    expected = naive_counts(query)
    assert expected["total"] == len(
        set(InitiativeFilter(QueryDict(query)).qs.values_list("pk", flat=True))
    )
    filter_set = InitiativeFilter(QueryDict(query))
    filter_set.themes, filter_set.instruments  # noqa: B018  (vocabularies: not facet queries)
    facet_index.current()  # built once per change of the data, not per request
    # Counting reads the index's stamp, and the text matches when there is a query text.
    with django_assert_num_queries(1 + (text_match_statements() if filter_set.terms else 0)):
        counts = facets.facet_counts(filter_set)
    naive_set = InitiativeFilter(QueryDict(query))
    assert counts.theme_years == charts.theme_year_cells(naive_set.filtered())
    _, got = fast_counts(query)
    assert got["total"] == expected["total"]
    assert got["province"] == expected["province"]
    assert got["theme"] == expected["theme"]
    # Facets list only values with results (and chosen ones): the others count zero.
    for name in ("instrument", "year", "kind"):
        assert got[name] == {k: n for k, n in expected[name].items() if n or k in got[name]}, name
    assert sum(expected["province"].values()) > 0 or expected["total"] == 0


@pytest.mark.parametrize("query", FACET_COMBINATIONS)
def test_result_order_from_the_index_equals_the_sql_order(random_corpus, query):
    # The page and the API order results in memory (facet_index); the CSV export and
    # manage.py export stream the SQL queryset. Both must give the same rows in one order.
    for sort in ("relevance", "newest", "region"):
        data = QueryDict(f"{query}&sort={sort}")
        filter_set = InitiativeFilter(data)
        from_index = [int(pk) for pk in filter_set.selection.ordered_ids(filter_set.sort_key)]
        from_sql = list(InitiativeFilter(data).qs.values_list("pk", flat=True))
        assert from_index == from_sql, sort
        assert len(from_index) == facets.year_and_kind_facets(filter_set)[2]
