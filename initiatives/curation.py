"""What a curator's hand leaves behind: curated field names, review status, log entries.

Re-ingest replaces machine-made rows but leaves every field named in ``curated_fields``
alone, so anything a person sets in the admin (a form edit, a bulk "reviewed"/"hidden")
is written down here. The admin's own LogEntry history records who did it and when.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

# extractor_version of rows a curator created by hand in the admin.
MANUAL = "manual"

# How much of the document to show on either side of an initiative's sentence.
CONTEXT_CHARS = 300


def merged_fields(existing, names):
    """``existing`` plus ``names``, sorted, without repeats (a stable list to store)."""
    return sorted(set(existing or ()) | set(names))


def record_curated(obj, names):
    """Add ``names`` to ``obj.curated_fields`` and save just that column."""
    names = set(names)
    if not names or names <= set(obj.curated_fields or ()):
        return
    obj.curated_fields = merged_fields(obj.curated_fields, names)
    type(obj).objects.filter(pk=obj.pk).update(curated_fields=obj.curated_fields)


def set_status(queryset, status, user):
    """Give every row of ``queryset`` the review ``status``; return how many changed.

    One UPDATE for the status, one per distinct ``curated_fields`` value for the mark
    (almost all rows share ``[]``), and one bulk insert of log entries, so that "select
    all" on a large result stays a handful of queries rather than one per row.
    """
    model = queryset.model
    queryset = queryset.prefetch_related(None)
    rows = list(queryset.exclude(status=status).values_list("pk", "curated_fields"))
    if not rows:
        return 0
    pks = [pk for pk, _fields in rows]
    by_fields = {}
    for pk, fields in rows:
        if "status" not in (fields or ()):
            by_fields.setdefault(tuple(fields or ()), []).append(pk)
    for chunk in _chunks(pks):
        model.objects.filter(pk__in=chunk).update(status=status)
    for fields, group in by_fields.items():
        for chunk in _chunks(group):
            model.objects.filter(pk__in=chunk).update(
                curated_fields=merged_fields(fields, ["status"])
            )
    label = str(model._meta.get_field("status").verbose_name)
    for chunk in _chunks(pks):
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=model.objects.filter(pk__in=chunk).only("pk", "title")
            if hasattr(model, "title")
            else model.objects.filter(pk__in=chunk),
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": [label]}}],
        )
    return len(pks)


def _chunks(items, size=900):
    # SQLite limits the number of bound parameters in one statement.
    for i in range(0, len(items), size):
        yield items[i : i + size]


def source_in_context(text, start, end, context=CONTEXT_CHARS):
    """The document text around ``[start, end)`` with the span in a <mark>, escaped."""
    if not text or start is None or end is None or not 0 <= start < end <= len(text):
        return _("（偏移量不在文件正文范围内）")
    lo, hi = max(0, start - context), min(len(text), end + context)
    return format_html(
        '<div class="source-context">{}{}<mark>{}</mark>{}{}</div>',
        "…" if lo > 0 else "",
        text[lo:start],
        text[start:end],
        text[end:hi],
        "…" if hi < len(text) else "",
    )


def merge_initiatives(initiatives, user):
    """Fold duplicates into one survivor; return ``(survivor, duplicates)``.

    The survivor is the first reviewed initiative, else the oldest. It gains the others'
    regions, themes, instruments and targets; the duplicates are hidden, not deleted, so a
    re-ingest of their documents finds them curated and leaves them hidden. Who merged what
    is in the admin history of every row involved.
    """
    from django.db import transaction

    from initiatives.models import InitiativeRegion, Status

    rows = sorted(initiatives, key=lambda i: (i.status != Status.REVIEWED, i.pk))
    survivor, duplicates = rows[0], rows[1:]
    if not duplicates:
        return survivor, []
    with transaction.atomic():
        have = set(survivor.initiativeregion_set.values_list("region_id", flat=True))
        for link in InitiativeRegion.objects.filter(initiative__in=duplicates).select_related(
            "region"
        ):
            if link.region_id not in have:
                InitiativeRegion.objects.create(initiative=survivor, region=link.region)
                have.add(link.region_id)
        for field in ("themes", "instruments"):
            for duplicate in duplicates:
                getattr(survivor, field).add(*getattr(duplicate, field).all())
        moved = survivor.targets.model.objects.filter(initiative__in=duplicates)
        moved.update(initiative=survivor)
        record_curated(survivor, ["regions", "themes", "instruments", "targets"])
        for duplicate in duplicates:
            duplicate.status = Status.HIDDEN
            duplicate.curated_fields = merged_fields(duplicate.curated_fields, ["status"])
            type(duplicate).objects.filter(pk=duplicate.pk).update(
                status=duplicate.status, curated_fields=duplicate.curated_fields
            )
        names = "、".join(f"#{d.pk}" for d in duplicates)
        LogEntry.objects.log_actions(
            user.pk,
            [survivor],
            CHANGE,
            f"合并重复举措 {names}（地区、主题、政策工具、指标并入本条）",
        )
        LogEntry.objects.log_actions(
            user.pk, duplicates, CHANGE, f"作为重复项并入 #{survivor.pk}，已隐藏"
        )
    return survivor, duplicates
