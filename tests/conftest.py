import pytest

from regions.gazetteer import clear_cache


@pytest.fixture(autouse=True)
def _fresh_gazetteer_cache():
    # Tests that edit regions roll back their changes; the in-memory gazetteer must follow.
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _default_language():
    # A request to /en/… leaves English active in the thread (as Django's LocaleMiddleware
    # does; the next request sets its own). A test's reverse() and get_absolute_url() outside
    # a request start from the default language, the Chinese addresses at the root.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _frequent_words_ranked_in_the_test(monkeypatch):
    # A background thread has its own connection, which sees neither the test's transaction
    # nor its in-memory database: tests call facet_index.rank_frequent_terms themselves.
    from initiatives.search import facet_index

    # Likewise the index follows the test's own writes in the request, not in a background
    # updater (tests of the updater use a committed database and turn it back on).
    monkeypatch.setattr(facet_index, "RANK_FREQUENT_IN_BACKGROUND", False)
    monkeypatch.setattr(facet_index, "UPDATE_IN_BACKGROUND", False)
    facet_index._frequent.clear()
    yield
    facet_index._frequent.clear()


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tasks_run_in_the_test(settings):
    # No worker process in tests: a queued task (an upload) runs at once, inside the test's
    # transaction. Tests of the queue itself switch back to the database backend.
    settings.TASKS = IMMEDIATE_TASKS
