"""Merging duplicate initiatives: a preview, the merge itself, and its undo.

The curator picks the survivor on a preview page (``plan_merge`` says what will happen);
``merge_initiatives`` folds the others into it: their regions, themes and instruments join
the survivor's, their targets move to it, and they are hidden, not deleted. A moved target
that says what one of the survivor's targets already says (same indicator, value, unit,
kind and year) is not moved but hidden beside its duplicate initiative, so no figure is
published twice. Each folded initiative leaves a ``MergeRecord`` whose ``undo`` holds
everything ``unmerge`` needs to put both rows back as they were.
"""

from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils.translation import gettext as _

from initiatives.curation import records as curation
from initiatives.models import (
    CurationActivity,
    CurationRecord,
    Initiative,
    InitiativeRegion,
    MergeRecord,
    Status,
    Target,
)

MAX_MERGE = 50
CLASSIFICATION = ("regions", "themes", "instruments")


class CannotMerge(Exception):
    """A merge the curator asked for that cannot be done; the message says why."""


class CannotUnmerge(Exception):
    """An unmerge that cannot be done; the message says why."""


def suggested_survivor(rows):
    """The row to keep unless the curator picks another: reviewed, most corrected, oldest."""
    return min(rows, key=lambda i: (i.status != Status.REVIEWED, -len(i.curated_fields), i.pk))


def target_identity(target):
    """What makes two targets the same figure: indicator, value, unit, kind and year."""
    return (target.indicator, curation.plain(target.value), target.unit, target.kind, target.year)


@dataclass
class MergePlan:
    survivor: Initiative
    duplicates: list
    # Visible targets of the duplicates that will move to the survivor.
    moves: list = field(default_factory=list)
    # (target, the survivor's target it repeats): hidden instead of moved.
    doubles: list = field(default_factory=list)


def check_candidates(rows, expected):
    """Refuse a merge of missing, hidden or too few/many rows, with a message saying so."""
    if not 2 <= len(expected) <= MAX_MERGE:
        raise CannotMerge(_("请选择 2 到 %(n)d 条重复的举措。") % {"n": MAX_MERGE})
    missing = set(expected) - {row.pk for row in rows}
    if missing:
        raise CannotMerge(
            _("找不到举措 %(ids)s，可能已被删除。")
            % {"ids": "、".join(f"#{pk}" for pk in sorted(missing))}
        )
    hidden = [row for row in rows if row.status == Status.HIDDEN]
    if hidden:
        raise CannotMerge(
            _("已隐藏的举措不能合并：%(ids)s。")
            % {"ids": "、".join(f"#{row.pk}" for row in hidden)}
        )


def plan_merge(rows, survivor):
    """What merging ``rows`` into ``survivor`` would do, without doing it."""
    duplicates = [row for row in rows if row.pk != survivor.pk]
    plan = MergePlan(survivor=survivor, duplicates=duplicates)
    seen = {
        target_identity(t): t
        for t in Target.objects.filter(initiative=survivor).exclude(status=Status.HIDDEN)
    }
    moving = Target.objects.filter(initiative__in=duplicates).exclude(status=Status.HIDDEN)
    for target in moving.order_by("initiative_id", "pk"):
        same = seen.get(target_identity(target))
        if same is not None:
            plan.doubles.append((target, same))
        else:
            plan.moves.append(target)
            seen[target_identity(target)] = target
    return plan


def classification(initiative):
    """The survivor-side fields a merge adds to, as sorted keys."""
    return {
        "regions": sorted(initiative.initiativeregion_set.values_list("region_id", flat=True)),
        "themes": sorted(initiative.themes.values_list("pk", flat=True)),
        "instruments": sorted(initiative.instruments.values_list("pk", flat=True)),
    }


def merge_initiatives(rows, user, survivor=None):
    """Fold ``rows`` into ``survivor`` (the suggested one if not given); return the plan.

    Who merged what is in the activity log and the admin history of every row involved.
    """
    rows = list(rows)
    check_candidates(rows, [row.pk for row in rows])
    survivor = survivor or suggested_survivor(rows)
    if survivor.pk not in {row.pk for row in rows}:
        raise CannotMerge(_("保留的举措必须是所选举措之一。"))
    with transaction.atomic():
        plan = plan_merge(rows, survivor)
        before = classification(survivor)
        curated_before = list(survivor.curated_fields or ())
        have = {name: set(values) for name, values in before.items()}
        moved_by = {}
        for target in plan.moves:
            moved_by.setdefault(target.initiative_id, []).append(target)
        doubled_by = {}
        for target, same in plan.doubles:
            doubled_by.setdefault(target.initiative_id, []).append((target, same))
        entries = []
        records = []
        for duplicate in plan.duplicates:
            added = _add_classification(survivor, duplicate, have)
            moved = [_move_target(t, survivor, user) for t in moved_by.get(duplicate.pk, [])]
            doubled = []
            for target, same in doubled_by.get(duplicate.pk, []):
                doubled.append({"id": target.pk, "status": target.status, "same_as": same.pk})
                Target.objects.filter(pk=target.pk).update(status=Status.HIDDEN)
                entries.append(
                    curation.activity(
                        user,
                        target,
                        CurationActivity.Action.MERGE,
                        field="status",
                        old=str(Status(target.status).label),
                        new=str(Status.HIDDEN.label),
                        note=_("与指标 #%(pk)s 相同，不重复发布") % {"pk": same.pk},
                    )
                )
            for target in moved_by.get(duplicate.pk, []):
                entries.append(
                    curation.activity(
                        user,
                        target,
                        CurationActivity.Action.MERGE,
                        field="initiative",
                        old=_row_label(duplicate),
                        new=_row_label(survivor),
                    )
                )
            repointed = list(
                MergeRecord.objects.filter(survivor=duplicate).values_list("pk", flat=True)
            )
            MergeRecord.objects.filter(pk__in=repointed).update(survivor=survivor)
            Initiative.objects.filter(pk=duplicate.pk).update(status=Status.HIDDEN)
            entries.append(
                curation.activity(
                    user,
                    duplicate,
                    CurationActivity.Action.MERGE,
                    field="status",
                    old=str(Status(duplicate.status).label),
                    new=str(Status.HIDDEN.label),
                    note=_("并入 %(row)s") % {"row": _row_label(survivor)},
                )
            )
            records.append(
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
                    undo={
                        "status": duplicate.status,
                        "added": added,
                        "survivor_curated": curated_before,
                        "moved": moved,
                        "doubled": doubled,
                        "repointed": repointed,
                    },
                )
            )
        MergeRecord.objects.bulk_create(records)
        after = classification(survivor)
        changed = [name for name in CLASSIFICATION if after[name] != before[name]]
        curation.remember_machine_values(
            survivor,
            {name: before[name] for name in changed},
            {name: after[name] for name in changed},
            user,
        )
        curation.record_curated(survivor, changed)
        names = "、".join(f"#{d.pk}" for d in plan.duplicates)
        for name in changed:
            entries.append(
                curation.activity(
                    user,
                    survivor,
                    CurationActivity.Action.MERGE,
                    field=name,
                    old=curation.describe(Initiative, name, before[name]),
                    new=curation.describe(Initiative, name, after[name]),
                    note=_("并入 %(ids)s") % {"ids": names},
                )
            )
        if not changed:
            entries.append(
                curation.activity(
                    user,
                    survivor,
                    CurationActivity.Action.MERGE,
                    note=_("并入 %(ids)s") % {"ids": names},
                )
            )
        curation.log(entries)
        LogEntry.objects.log_actions(
            user.pk,
            [survivor],
            CHANGE,
            _("合并重复举措 %(ids)s（地区、主题、政策工具、指标并入本条）") % {"ids": names},
        )
        LogEntry.objects.log_actions(
            user.pk,
            plan.duplicates,
            CHANGE,
            _("作为重复项并入 #%(pk)s，已隐藏") % {"pk": survivor.pk},
        )
    return plan


def _row_label(initiative):
    return f"#{initiative.pk} {initiative.title}"


def _add_classification(survivor, duplicate, have):
    """Give ``survivor`` what ``duplicate`` has and it lacks; return what was added."""
    added = {name: [] for name in CLASSIFICATION}
    for link in InitiativeRegion.objects.filter(initiative=duplicate).select_related("region"):
        if link.region_id not in have["regions"]:
            InitiativeRegion.objects.create(initiative=survivor, region=link.region)
            have["regions"].add(link.region_id)
            added["regions"].append(link.region_id)
    for name in ("themes", "instruments"):
        for pk in getattr(duplicate, name).values_list("pk", flat=True):
            if pk not in have[name]:
                getattr(survivor, name).add(pk)
                have[name].add(pk)
                added[name].append(pk)
    return added


def _move_target(target, survivor, user):
    """Point ``target`` at the survivor; return what unmerge needs to point it back."""
    had_record = CurationRecord.objects.filter(target=target, field="initiative").exists()
    undo = {"id": target.pk, "curated_fields": list(target.curated_fields or ())}
    undo["had_record"] = had_record
    # The link is the curator's now: a re-extraction would otherwise put the figure back
    # on the hidden duplicate.
    curation.remember_machine_values(
        target, {"initiative": target.initiative_id}, {"initiative": survivor.pk}, user
    )
    target.initiative = survivor
    target.curated_fields = curation.merged_fields(target.curated_fields, ["initiative"])
    target.save(update_fields=["initiative", "curated_fields", "updated"])
    return undo


def unmerge(record, user):
    """Put back the two rows ``record`` joined; return ``(survivor, duplicate, left)``.

    ``left`` counts moved targets that a curator has since linked elsewhere: they stay
    where the curator put them. A region, theme or instrument the survivor gained is
    removed unless another initiative still merged into it brings it too.
    """
    undo = record.undo or {}
    if not undo:
        raise CannotUnmerge(_("这次合并早于撤销功能，没有恢复所需的信息，请手动恢复。"))
    duplicate = record.merged
    if duplicate is None:
        raise CannotUnmerge(
            _("被并入的举措 #%(pk)s 已被删除，无法撤销合并。") % {"pk": record.merged_initiative_id}
        )
    survivor = record.survivor
    entries = []
    with transaction.atomic():
        before = classification(survivor)
        Initiative.objects.filter(pk=duplicate.pk).update(status=undo["status"])
        entries.append(
            curation.activity(
                user,
                duplicate,
                CurationActivity.Action.UNMERGE,
                field="status",
                old=str(Status(duplicate.status).label),
                new=str(Status(undo["status"]).label),
                note=_("从 %(row)s 拆回") % {"row": _row_label(survivor)},
            )
        )
        left = 0
        for entry in undo.get("moved", []):
            target = Target.objects.filter(pk=entry["id"], initiative=survivor).first()
            if target is None:
                left += 1
                continue
            target.initiative = duplicate
            target.curated_fields = entry["curated_fields"]
            target.save(update_fields=["initiative", "curated_fields", "updated"])
            records = CurationRecord.objects.filter(target=target, field="initiative")
            if entry["had_record"]:
                records.update(curated_value=duplicate.pk)
            else:
                records.delete()
            entries.append(
                curation.activity(
                    user,
                    target,
                    CurationActivity.Action.UNMERGE,
                    field="initiative",
                    old=_row_label(survivor),
                    new=_row_label(duplicate),
                )
            )
        for entry in undo.get("doubled", []):
            target = Target.objects.filter(pk=entry["id"], status=Status.HIDDEN).first()
            if target is None:
                continue
            Target.objects.filter(pk=target.pk).update(status=entry["status"])
            entries.append(
                curation.activity(
                    user,
                    target,
                    CurationActivity.Action.UNMERGE,
                    field="status",
                    old=str(Status.HIDDEN.label),
                    new=str(Status(entry["status"]).label),
                )
            )
        _remove_classification(survivor, record, undo.get("added", {}))
        MergeRecord.objects.filter(pk__in=undo.get("repointed", []), survivor=survivor).update(
            survivor=duplicate
        )
        record.delete()
        after = classification(survivor)
        curated = list(survivor.curated_fields or ())
        for name in CLASSIFICATION:
            if after[name] == before[name]:
                continue
            entries.append(
                curation.activity(
                    user,
                    survivor,
                    CurationActivity.Action.UNMERGE,
                    field=name,
                    old=curation.describe(Initiative, name, before[name]),
                    new=curation.describe(Initiative, name, after[name]),
                    note=_("拆出 %(row)s") % {"row": _row_label(duplicate)},
                )
            )
            if name in undo.get("survivor_curated", []):
                continue
            # Back to exactly what the machine had: nothing left to protect.
            machine = CurationRecord.objects.filter(initiative=survivor, field=name).first()
            if machine is None:
                continue
            if sorted(machine.machine_value or [], key=str) == sorted(after[name], key=str):
                machine.delete()
                curated = [f for f in curated if f != name]
            else:
                machine.curated_value = after[name]
                machine.save(update_fields=["curated_value", "updated"])
        if curated != list(survivor.curated_fields or ()):
            survivor.curated_fields = curated
            Initiative.objects.filter(pk=survivor.pk).update(curated_fields=curated)
        curation.log(entries)
        LogEntry.objects.log_actions(
            user.pk, [survivor], CHANGE, _("撤销合并：拆出 #%(pk)s") % {"pk": duplicate.pk}
        )
        LogEntry.objects.log_actions(
            user.pk, [duplicate], CHANGE, _("撤销合并：从 #%(pk)s 拆回") % {"pk": survivor.pk}
        )
    duplicate.refresh_from_db()
    return survivor, duplicate, left


def _remove_classification(survivor, record, added):
    """Take back what one merge added, unless another row still merged here brings it."""
    others = list(
        MergeRecord.objects.filter(survivor=survivor, merged__isnull=False)
        .exclude(pk=record.pk)
        .values_list("merged_id", flat=True)
    )
    still = {"regions": set(), "themes": set(), "instruments": set()}
    if others:
        still["regions"] = set(
            InitiativeRegion.objects.filter(initiative_id__in=others).values_list(
                "region_id", flat=True
            )
        )
        through = Initiative.themes.through.objects.filter(initiative_id__in=others)
        still["themes"] = set(through.values_list("theme_id", flat=True))
        through = Initiative.instruments.through.objects.filter(initiative_id__in=others)
        still["instruments"] = set(through.values_list("policyinstrument_id", flat=True))
    regions = [code for code in added.get("regions", []) if code not in still["regions"]]
    InitiativeRegion.objects.filter(initiative=survivor, region_id__in=regions).delete()
    for name in ("themes", "instruments"):
        drop = [pk for pk in added.get(name, []) if pk not in still[name]]
        if drop:
            getattr(survivor, name).remove(*drop)
