"""What a curator's hand leaves behind: protected fields, machine values, the activity log.

Re-ingest and re-extract update every field of a row except those named in its
``curated_fields``: the fields a curator actually changed. A review status (reviewed,
hidden) is a verdict on the row, not a correction of it, so changing it protects nothing.

The first time a curator changes a machine-made field, the machine's value is kept in a
``CurationRecord`` beside the curated one ("machine: X / curated: Y"), which is what
"revert to machine value" restores. Every change, of any kind, is also written to
``CurationActivity`` in readable words (the admin's activity page); merges and unmerges
live in ``initiatives.curation.merging``.
"""

from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# extractor_version of rows a curator created by hand in the admin.
MANUAL = "manual"

# How much of the document to show on either side of an initiative's sentence.
CONTEXT_CHARS = 300

# Fields whose change protects nothing: the review status is the curator's verdict on the
# row (the machine always writes "extracted"), not a correction of what it extracted.
NOT_PROTECTED = {"status"}

# What is shown for an empty value in the activity log and the machine/curated table.
EMPTY = "—"


class NothingToRevert(Exception):
    """The field has no machine value on record (never changed, or a row made by hand)."""


def merged_fields(existing, names):
    """``existing`` plus ``names``, sorted, without repeats (a stable list to store)."""
    return sorted(set(existing or ()) | set(names))


def record_curated(obj, names):
    """Add ``names`` to ``obj.curated_fields`` and save just that column."""
    names = set(names) - NOT_PROTECTED
    if not names or names <= set(obj.curated_fields or ()):
        return
    obj.curated_fields = merged_fields(obj.curated_fields, names)
    type(obj).objects.filter(pk=obj.pk).update(curated_fields=obj.curated_fields)


def protected(names):
    """Of the fields an edit changed, those it protects from re-extraction."""
    return [name for name in names if name not in NOT_PROTECTED]


def plain(value):
    """A field value as plain JSON: related rows by key, many of them as a sorted list."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | set | frozenset) or (
        isinstance(value, list | tuple) and any(isinstance(v, models.Model) for v in value)
    ):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]  # a list of words keeps the curator's order
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
    owner = _owner(obj)
    names = protected(after)
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


def _owner(obj):
    from initiatives.models import Initiative

    return {"initiative" if isinstance(obj, Initiative) else "target": obj}


def field_label(model, name):
    """A field's verbose name (``regions`` → 地区); the raw name for one that is gone."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def describe(model, name, value):
    """A stored plain value as a curator reads it: names for related rows (regions by
    their path, 四川省/乐山市), labels for choices, "—" for nothing."""
    if value is None or value == "" or value == []:
        return EMPTY
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if field.is_relation and field.related_model is not None:
        keys = value if isinstance(value, list) else [value]
        related = field.related_model
        if related._meta.label == "regions.Region":
            return "、".join(region_name(key) for key in keys)
        names = {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=keys)}
        return "、".join(names.get(key, f"#{key}") for key in keys)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    return str(value)


def region_name(code):
    """``乐山市（四川省/乐山市）`` is noise in a log line: the path of names reads best."""
    from regions.gazetteer import gazetteer

    return gazetteer().path_name(code) or f"#{code}"


# --- The activity log --------------------------------------------------------------------


def document_of(obj):
    """The document a row comes from (or the document itself), for filtering the log."""
    from initiatives.models import Document

    if isinstance(obj, Document):
        return obj.pk
    return getattr(obj, "document_id", None)


def row_repr(obj):
    """How a row is named in the log: a target by its figure without trailing zeros."""
    from initiatives.models import Target

    if isinstance(obj, Target):
        value = plain(Decimal(str(obj.value)))
        return f"{obj.indicator} {obj.comparator} {value}{obj.unit}"
    return str(obj)


def activity(user, obj, action, *, field="", old="", new="", note=""):
    """One unsaved ``CurationActivity`` for ``obj``; ``old``/``new`` already readable."""
    from initiatives.models import CurationActivity

    return CurationActivity(
        user=user if user is not None and user.pk else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=row_repr(obj)[:200],
        document_id=document_of(obj),
        field=field,
        field_label=field_label(type(obj), field)[:60] if field else "",
        old_value=old,
        new_value=new,
        note=note,
    )


def log(entries):
    from initiatives.models import CurationActivity

    CurationActivity.objects.bulk_create([e for e in entries if e is not None], batch_size=500)


def log_deletions(entries):
    """Write the entries of deleted rows: a deleted document is named, no longer linked."""
    from initiatives.models import Document

    ids = {e.document_id for e in entries if e.document_id is not None}
    alive = set(Document.objects.filter(pk__in=ids).values_list("pk", flat=True))
    for entry in entries:
        if entry.document_id is not None and entry.document_id not in alive:
            entry.document_id = None
    log(entries)


def log_changes(user, obj, before, after, *, action=None, note=""):
    """Write one activity row per changed field, values described in readable words.

    ``before``/``after`` map field names to plain or model values. A status change is
    logged as such; everything else as ``action`` (an edit unless told otherwise).
    """
    from initiatives.models import CurationActivity

    model = type(obj)
    entries = []
    for name in after:
        old = describe(model, name, plain(before.get(name)))
        new = describe(model, name, plain(after[name]))
        if old == new:
            continue
        kind = action or (
            CurationActivity.Action.STATUS if name == "status" else CurationActivity.Action.EDIT
        )
        entries.append(activity(user, obj, kind, field=name, old=old, new=new, note=note))
    log(entries)


# --- Review status -----------------------------------------------------------------------


def set_status(queryset, status, user):
    """Give every row of ``queryset`` the review ``status``; return how many changed.

    The status protects no field, so ``curated_fields`` is left as it is. One UPDATE per
    chunk, and the admin history and activity log written in bulk, so "select all" on a
    large result stays a handful of queries rather than one per row.
    """
    from initiatives.models import CurationActivity

    model = queryset.model
    queryset = queryset.prefetch_related(None).select_related(None)
    label_field = "title" if hasattr(model, "title") else "indicator"
    rows = list(
        queryset.exclude(status=status).values_list("pk", "status", label_field, "document_id")
    )
    if not rows:
        return 0
    pks = [row[0] for row in rows]
    choices = dict(model._meta.get_field("status").flatchoices)
    content_type = ContentType.objects.get_for_model(model)
    label = field_label(model, "status")
    with transaction.atomic():
        for chunk in _chunks(pks):
            model.objects.filter(pk__in=chunk).update(status=status)
        for chunk in _chunks(pks):
            LogEntry.objects.log_actions(
                user_id=user.pk,
                queryset=model.objects.filter(pk__in=chunk).only("pk", label_field),
                action_flag=CHANGE,
                change_message=[{"changed": {"fields": [label]}}],
            )
        log(
            CurationActivity(
                user=user,
                action=CurationActivity.Action.STATUS,
                content_type=content_type,
                object_id=str(pk),
                object_repr=str(text)[:200],
                document_id=document_id,
                field="status",
                field_label=label,
                old_value=str(choices.get(old, old)),
                new_value=str(choices.get(status, status)),
            )
            for pk, old, text, document_id in rows
        )
    return len(pks)


def _chunks(items, size=900):
    # SQLite limits the number of bound parameters in one statement.
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- Revert to the machine value ---------------------------------------------------------


def machine_record(obj, field):
    """The ``CurationRecord`` holding ``field``'s machine value, or ``NothingToRevert``."""
    from initiatives.models import CurationRecord, Initiative, Target

    if not isinstance(obj, Initiative | Target):
        raise NothingToRevert(field)  # documents keep no machine values
    record = CurationRecord.objects.filter(**_owner(obj), field=field).first()
    if record is None:
        raise NothingToRevert(field)
    return record


def current_value(obj, field):
    """The plain value of ``field`` as the row has it now (regions as sorted codes)."""
    if field == "regions":
        return sorted(obj.initiativeregion_set.values_list("region_id", flat=True))
    model_field = obj._meta.get_field(field)
    if model_field.many_to_many:
        return sorted(getattr(obj, field).values_list("pk", flat=True))
    if model_field.is_relation:
        return getattr(obj, model_field.attname)
    return plain(getattr(obj, field))


def revert_field(obj, field, user):
    """Put the machine's value back into ``field`` and stop protecting it.

    Returns ``(curated, machine)`` in readable words. Related rows that no longer exist
    (a deleted theme) are left out rather than failing; the next re-extraction then updates
    the field like any other machine-made one.
    """
    from initiatives.models import CurationActivity, InitiativeRegion
    from regions.models import Region

    record = machine_record(obj, field)
    value = record.machine_value
    model = type(obj)
    with transaction.atomic():
        old = describe(model, field, current_value(obj, field))
        if field == "regions":
            codes = Region.objects.filter(pk__in=value or []).values_list("pk", flat=True)
            InitiativeRegion.objects.filter(initiative=obj).delete()
            for region in Region.objects.filter(pk__in=list(codes)):
                InitiativeRegion.objects.create(initiative=obj, region=region)
        else:
            model_field = obj._meta.get_field(field)
            if model_field.many_to_many:
                related = model_field.related_model._default_manager
                getattr(obj, field).set(related.filter(pk__in=value or []))
            elif model_field.is_relation:
                related = model_field.related_model._default_manager
                exists = value is not None and related.filter(pk=value).exists()
                setattr(obj, model_field.attname, value if exists else None)
            elif isinstance(model_field, models.DecimalField) and value is not None:
                setattr(obj, field, Decimal(str(value)))
            else:
                setattr(obj, field, value)
        obj.curated_fields = [name for name in obj.curated_fields or () if name != field]
        if field == "regions" or obj._meta.get_field(field).many_to_many:
            model.objects.filter(pk=obj.pk).update(curated_fields=obj.curated_fields)
        else:
            # save(), not update(): a changed title must reach the full-text index.
            obj.save(update_fields=[obj._meta.get_field(field).attname, "curated_fields"])
        record.delete()
        new = describe(model, field, value)
        log([activity(user, obj, CurationActivity.Action.REVERT, field=field, old=old, new=new)])
        LogEntry.objects.log_actions(
            user.pk,
            [obj],
            CHANGE,
            gettext("“%(field)s”恢复为机器值") % {"field": field_label(model, field)},
        )
    return old, new


# --- Corrections carried from an initiative to its targets --------------------------------


def carry_to_targets(initiative, user, *, regions=None, year=None):
    """Apply an initiative's corrected regions and/or year to its targets.

    ``regions`` is ``(before, after)`` as code lists, ``year`` is ``(before, after)``. Only
    targets that had the initiative's old value get the new one: a target for 2025 inside
    a 2021 plan keeps its own year, and a target a curator already corrected keeps what
    they set. A region is carried when the correction names one new region (the initiative
    now has one, or one was added). Returns ``{"regions": n, "year": n, "kept": n,
    "region": code or None}`` for the curator's message.
    """
    from initiatives.models import CurationActivity, Target

    outcome = {"regions": 0, "year": 0, "kept": 0, "region": None, "ambiguous": 0}
    replacement = None
    if regions is not None:
        before, after = set(regions[0]), set(regions[1])
        added = after - before
        if len(after) == 1:
            replacement = next(iter(after))
        elif len(added) == 1:
            replacement = next(iter(added))
        removed = before - after
    targets = list(Target.objects.filter(initiative=initiative))
    entries = []
    kept = set()
    for target in targets:
        changes = {}
        if regions is not None and replacement is None and target.region_id in removed:
            outcome["ambiguous"] += 1  # several new regions: which one is the target's?
        elif replacement is not None and target.region_id in removed:
            if "region" in (target.curated_fields or ()):
                kept.add(target.pk)
            else:
                changes["region"] = (target.region_id, replacement)
        # A target without a year (a recurring yearly goal) has none on purpose.
        year_changed = year is not None and year[0] is not None and year[0] != year[1]
        if year_changed and target.year == year[0]:
            if "year" in (target.curated_fields or ()):
                kept.add(target.pk)
            elif target.year_end is not None and (year[1] is None or target.year_end < year[1]):
                kept.add(target.pk)  # its period would end before it starts
            else:
                changes["year"] = (target.year, year[1])
        if not changes:
            continue
        remember_machine_values(
            target,
            {name: old for name, (old, _new) in changes.items()},
            {name: new for name, (_old, new) in changes.items()},
            user,
        )
        for name, (_old, new) in changes.items():
            setattr(target, "region_id" if name == "region" else name, new)
            outcome["regions" if name == "region" else "year"] += 1
        target.curated_fields = merged_fields(target.curated_fields, changes)
        target.save(update_fields=[*changes, "curated_fields", "updated"])
        for name, (old, new) in changes.items():
            entries.append(
                activity(
                    user,
                    target,
                    CurationActivity.Action.CARRY,
                    field=name,
                    old=describe(Target, name, old),
                    new=describe(Target, name, new),
                    note=gettext("随举措 #%(pk)s 修改") % {"pk": initiative.pk},
                )
            )
    log(entries)
    outcome["kept"] = len(kept)
    outcome["region"] = replacement
    return outcome


# --- Pages -------------------------------------------------------------------------------


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
