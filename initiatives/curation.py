"""What a curator's hand leaves behind: curated field names, review status, log entries.

Re-ingest replaces machine-made rows but leaves every field named in ``curated_fields``
alone, so anything a person sets in the admin (a form edit, a bulk "reviewed"/"hidden")
is written down here. The admin's own LogEntry history records who did it and when.

The first time a curator changes a machine-made field, the machine's value is kept in a
``CurationRecord`` beside the curated one ("machine: X / curated: Y"); a merge leaves a
``MergeRecord`` per folded initiative, so both sources stay on record.
"""

from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
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


# Not kept as a machine value: the review status is always "extracted" when the machine
# writes a row; it is the curator's verdict, not something read from the text.
NOT_RECORDED = {"status"}


def plain(value):
    """A field value as plain JSON: related rows by key, many of them as a sorted list."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def remember_machine_values(obj, before, after, user):
    """Keep what the machine had in each field the first time a curator changes it.

    ``before`` and ``after`` map the names of the fields this edit changes to their values.
    A field already curated, or a row a curator made, has no machine value to keep: only
    the curated value of an existing record follows the edit.
    """
    from initiatives.models import CurationRecord, Initiative, Target

    if obj.pk is None or not isinstance(obj, Initiative | Target):
        return
    owner = {"initiative" if isinstance(obj, Initiative) else "target": obj}
    names = [name for name in after if name not in NOT_RECORDED]
    if not names:
        return
    existing = {r.field: r for r in CurationRecord.objects.filter(**owner, field__in=names)}
    already = set(obj.curated_fields or ())
    for name in names:
        record = existing.get(name)
        if record is not None:
            record.curated_value = plain(after[name])
            record.user = user
            record.save(update_fields=["curated_value", "user", "updated"])
        elif obj.extractor_version != MANUAL and name not in already:
            CurationRecord.objects.create(
                **owner,
                field=name,
                machine_value=plain(before.get(name)),
                curated_value=plain(after[name]),
                extractor_version=obj.extractor_version,
                user=user,
            )


def describe(model, name, value):
    """A stored plain value as a curator reads it: names for related rows, labels for
    choices, "—" for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    try:
        field = model._meta.get_field(name)
    except Exception:  # a field that no longer exists: show the raw value
        return str(value)
    if field.is_relation and field.related_model is not None:
        keys = value if isinstance(value, list) else [value]
        names = {
            obj.pk: str(obj) for obj in field.related_model._default_manager.filter(pk__in=keys)
        }
        return "、".join(names.get(key, f"#{key}") for key in keys)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


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
    re-ingest of their documents finds them curated and leaves them hidden. Each duplicate
    leaves a ``MergeRecord`` (its id, document and text: "also reported in"), the machine's
    regions/themes/instruments of the survivor are kept as ``CurationRecord``s, and who
    merged what is in the admin history of every row involved.
    """
    from django.db import transaction

    from initiatives.models import InitiativeRegion, MergeRecord, Status

    rows = sorted(initiatives, key=lambda i: (i.status != Status.REVIEWED, i.pk))
    survivor, duplicates = rows[0], rows[1:]
    if not duplicates:
        return survivor, []
    with transaction.atomic():
        before = _classification(survivor)
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
        after = _classification(survivor)
        changed = [name for name in after if after[name] != before[name]]
        remember_machine_values(
            survivor,
            {name: before[name] for name in changed},
            {name: after[name] for name in changed},
            user,
        )
        # Moved targets are curated: a re-ingest would otherwise re-create them where the
        # machine put them, on the hidden duplicate.
        for target in survivor.targets.model.objects.filter(initiative__in=duplicates):
            remember_machine_values(
                target, {"initiative": target.initiative_id}, {"initiative": survivor.pk}, user
            )
            target.initiative = survivor
            target.curated_fields = merged_fields(target.curated_fields, ["initiative"])
            target.save(update_fields=["initiative", "curated_fields", "updated"])
        record_curated(survivor, ["regions", "themes", "instruments", "targets"])
        # Earlier merges into a duplicate now point at the survivor too.
        MergeRecord.objects.filter(survivor__in=duplicates).update(survivor=survivor)
        MergeRecord.objects.bulk_create(
            [
                MergeRecord(
                    survivor=survivor,
                    merged=duplicate,
                    merged_initiative_id=duplicate.pk,
                    document_id=duplicate.document_id,
                    document_title=duplicate.document.title[:300],
                    document_file=duplicate.document.file_name[:255],
                    title=duplicate.title,
                    text=duplicate.text,
                    start=duplicate.start,
                    end=duplicate.end,
                    user=user,
                )
                for duplicate in duplicates
            ]
        )
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


def _classification(initiative):
    return {
        "regions": sorted(initiative.initiativeregion_set.values_list("region_id", flat=True)),
        "themes": sorted(initiative.themes.values_list("pk", flat=True)),
        "instruments": sorted(initiative.instruments.values_list("pk", flat=True)),
    }
