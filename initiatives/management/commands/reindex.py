"""python manage.py reindex — recompute every initiative's search tokens.

Run it after curators change instrument names or synonyms or region aliases (they are in
the segmenter's dictionary), or after upgrading jieba: the index and the queries must be cut
by the same segmenter.
"""

import time

from django.core.management.base import BaseCommand

from initiatives.models import Initiative
from initiatives.search.fulltext import index_initiatives

CHUNK = 5000


class Command(BaseCommand):
    help = "Recompute the full-text search tokens of all initiatives."

    def handle(self, *args, **options):
        began = time.monotonic()
        ids = list(Initiative.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            index_initiatives(ids[start : start + CHUNK])
            if options["verbosity"] >= 2:
                self.stdout.write(f"{min(start + CHUNK, len(ids))}/{len(ids)}")
        self.stdout.write(f"{len(ids)} initiatives reindexed in {time.monotonic() - began:.1f}s")
