"""Keep the full-text index in step with curators' edits (admin saves one row at a time).

Bulk paths send no signals: ingest fills the index once per new document
(``initiatives.search.index_triggers.bulk_inserts``), ``manage.py reindex`` calls
``initiatives.search.fulltext.index_initiatives``, and deleted rows leave the index through the
database (SQLite trigger, PostgreSQL column).
"""

from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

from initiatives.models import Initiative
from initiatives.search.fulltext import ensure_index, search_document


@receiver(post_save, sender=Initiative)
def reindex_initiative(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the fixture carries its own search_text
        return
    search_text = search_document(instance.title, instance.text)
    if search_text != instance.search_text:
        # update(), not save(): no second post_save, and `updated` keeps the curator's time.
        Initiative.objects.filter(pk=instance.pk).update(search_text=search_text)
        instance.search_text = search_text


@receiver(post_migrate)
def restore_sqlite_triggers(sender, using="default", **kwargs):
    if sender.name != "initiatives":
        return
    from django.db import connections

    from initiatives.search.index_triggers import STAMP_TABLE, install_stamp
    from regions import data_version

    connection = connections[using]
    ensure_index(connection)
    tables = connection.introspection.table_names()
    if connection.vendor == "sqlite" and STAMP_TABLE in tables:
        install_stamp(connection)
    if connection.vendor == "sqlite" and data_version.TABLE in tables:
        data_version.install(connection)


@receiver(post_save, sender="initiatives.PolicyInstrument")
@receiver(post_save, sender="regions.Region")
def vocabulary_changed(sender, **kwargs):
    # Instrument names and place names are in jieba's custom dictionary: rebuild it lazily.
    # Rows indexed earlier keep their tokens until `manage.py reindex` runs.
    from initiatives.search.segmentation import reset_tokenizer

    reset_tokenizer()
