from io import StringIO

import pytest
from django.core.management import call_command

from initiatives.models import Initiative
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def test_it_recomputes_stale_search_tokens():
    initiative = make_initiative(text="四川省推出创业担保贷款。")
    Initiative.objects.filter(pk=initiative.pk).update(search_text="stale")
    out = StringIO()
    call_command("reindex", stdout=out)
    initiative.refresh_from_db()
    assert "担保" in initiative.search_text.split()
    assert "1 initiatives reindexed" in out.getvalue()
