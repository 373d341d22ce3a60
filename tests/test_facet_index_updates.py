"""The facet index follows committed writes in a background thread, and requests never wait
for it (initiatives.search.facet_index.Updater). These tests commit (their data is seen by the
updater's own connection) and stop the updater before the database is emptied."""

import contextlib
import re
import threading

import numpy as np
import pytest
from django.db import connection, connections

from initiatives.models import Initiative, InitiativeRegion, Status, Theme
from initiatives.search import facet_index, index_masks, index_triggers
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def background(monkeypatch):
    monkeypatch.setattr(facet_index, "UPDATE_IN_BACKGROUND", True)
    if connection.vendor == "sqlite":
        # The test database is in memory with a shared cache, where a statement reading a
        # table makes a concurrent write fail at once ("table is locked") instead of
        # waiting: the updater runs only when woken (by a request or wait_until_current).
        # PostgreSQL runs it as deployed, polling while the test writes.
        monkeypatch.setattr(facet_index, "POLL_SECONDS", 3600)
    facet_index.stop_updates()
    yield
    facet_index.stop_updates()


@pytest.fixture
def held_back(background, monkeypatch):
    """The updater waits for ``gate`` before each step: the index stays behind until then."""
    gate = threading.Event()
    step = facet_index.Updater.step

    def gated(updater):
        gate.wait()
        step(updater)

    monkeypatch.setattr(facet_index.Updater, "step", gated)
    yield gate
    gate.set()


def result_ids(client, query):
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    return [int(pk) for pk in re.findall(r'<h3><a href="/initiatives/(\d+)/"', page)]


def test_a_hidden_row_never_appears_from_a_stale_index(client, held_back):
    shown = make_initiative(text="四川推出创业担保贷款。", regions=("510000",), year=2019)
    hidden = make_initiative(text="河北推出创业担保贷款。", regions=("130000",), year=2020)
    assert set(result_ids(client, "q=创业担保贷款")) == {shown.pk, hidden.pk}
    Initiative.objects.filter(pk=hidden.pk).update(status=Status.HIDDEN)
    # The published index still holds the row (the updater is held back) ...
    assert hidden.pk in facet_index._indexes["default"].ids
    # ... yet no page shows or counts it.
    assert result_ids(client, "q=创业担保贷款") == [shown.pk]
    assert result_ids(client, "province=130000") == []
    index = facet_index.current()
    assert index.withheld is not None
    assert index_masks.Selection(index, {}).count() == 1
    held_back.set()
    assert facet_index.wait_until_current()
    assert hidden.pk not in facet_index.current().ids


def test_an_edit_becomes_searchable_after_the_background_update(client, background):
    make_initiative(text="四川推出创业担保贷款。", regions=("510000",), year=2019)
    assert result_ids(client, "q=公益性岗位") == []
    added = make_initiative(text="河北开发公益性岗位。", regions=("130000",), year=2020)
    assert facet_index.wait_until_current()
    assert result_ids(client, "q=公益性岗位") == [added.pk]
    Initiative.objects.filter(pk=added.pk).update(year=2015)
    assert facet_index.wait_until_current()
    assert result_ids(client, "q=公益性岗位&year=2015") == [added.pk]


def test_concurrent_edits_converge(background):
    people = [
        make_initiative(text=f"第{n}项就业措施。", regions=("510000",), year=2010 + n)
        for n in range(6)
    ]
    facet_index.current()
    skills = Theme.objects.get(key="skills")
    failures = []
    # SQLite's shared-cache test database fails concurrent writes instead of queueing them.
    one_at_a_time = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def edit(n):
        try:
            for round_ in range(5):
                with one_at_a_time:
                    edit_once(n, round_)
        except Exception as error:  # reported by the test, not lost in the thread
            failures.append(error)
        finally:
            connections.close_all()

    def edit_once(n, round_):
        initiative = people[(n + round_) % len(people)]
        Initiative.objects.filter(pk=initiative.pk).update(year=2000 + n * 5 + round_)
        InitiativeRegion.objects.filter(initiative=initiative).update(
            region_id=("130000", "440000", "510100")[round_ % 3]
        )
        initiative.themes.add(skills) if round_ % 2 else initiative.themes.clear()
        make_initiative(text=f"编辑{n}新增措施{round_}。", regions=("110000",), year=None)
        if round_ == 4 and n == 0:
            Initiative.objects.filter(pk=people[1].pk).update(status=Status.HIDDEN)

    editors = [threading.Thread(target=edit, args=(n,)) for n in range(3)]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join()
    assert failures == []
    assert facet_index.wait_until_current()
    index = facet_index.current()
    fresh = facet_index.build(connection, index.stamp)
    for name, value in vars(fresh).items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(getattr(index, name), value), name
    assert people[1].pk not in index.ids
    assert len(index.ids) == 6 - 1 + 3 * 5


def test_the_change_log_is_pruned_and_the_index_still_follows(client, background, monkeypatch):
    monkeypatch.setattr(facet_index, "LOG_KEEP", 5)
    monkeypatch.setattr(facet_index, "_pruned", {})
    rows = [make_initiative(text=f"第{n}项技能培训。", year=2010) for n in range(4)]
    facet_index.current()
    Initiative.objects.filter(pk__in=[r.pk for r in rows]).update(year=2001)
    assert facet_index.wait_until_current()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {index_triggers.CHANGES_TABLE}")
        assert cursor.fetchone()[0] <= 5 + 1
    assert sorted(result_ids(client, "year=2001")) == sorted(r.pk for r in rows)


def test_frequent_words_are_ranked_once_then_carried_over_edits(background, monkeypatch):
    monkeypatch.setattr(facet_index, "RANK_FREQUENT_IN_BACKGROUND", True)
    monkeypatch.setattr(facet_index, "FREQUENT_MIN_ROWS", 1)
    monkeypatch.setattr(facet_index, "FREQUENT_SHARE", 0.5)
    rankings = []
    frequent_terms = facet_index.frequent_terms

    def counted(index, using="default"):
        rankings.append(len(index.ids))
        return frequent_terms(index, using)

    monkeypatch.setattr(facet_index, "frequent_terms", counted)
    for n in range(4):
        make_initiative(text=f"稳定就业第{n}项措施。", year=2010 + n)
    facet_index.current()  # the first build: ranked in the background
    ranker = facet_index._rankers.get("default")
    if ranker is not None:  # (else already done)
        ranker.join(timeout=30)
    assert rankings == [4]
    added = make_initiative(text="新增就业岗位。", year=2020)
    assert facet_index.wait_until_current()
    index = facet_index.current()
    assert rankings == [4]  # carried over the edit, not ranked again
    match = facet_index._frequent["default"][index.stamp][("就业",)]
    assert added.pk in index.ids[match.rows].tolist()
