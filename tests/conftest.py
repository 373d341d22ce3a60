import pytest

from regions.gazetteer import clear_cache


@pytest.fixture(autouse=True)
def _fresh_gazetteer_cache():
    # Tests that edit regions roll back their changes; the in-memory gazetteer must follow.
    clear_cache()
    yield
    clear_cache()
