"""Merging duplicate initiatives in the admin: the preview page, the merge, the unmerge.

The work itself is ``initiatives.curation.merging``; these are the pages around it. Mixed into
``InitiativeAdmin`` (the list's "merge" action leads here).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives.curation import merging
from initiatives.curation import records as curation
from initiatives.models import Initiative, InitiativeRegion, MergeRecord, Status, Target


class MergeViews:
    """The merge action, its preview page and the unmerge page of ``InitiativeAdmin``."""

    @admin.action(description=_("合并重复举措（预览后选择保留哪一条）"), permissions=["change"])
    def merge_duplicates(self, request, queryset):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: merging.MAX_MERGE + 1])
        if not 2 <= len(ids) <= merging.MAX_MERGE:
            self.message_user(
                request,
                _("请选择 2 到 %(n)d 条重复的举措。") % {"n": merging.MAX_MERGE},
                messages.WARNING,
            )
            return None
        url = reverse("admin:initiatives_initiative_merge")
        return HttpResponseRedirect(f"{url}?ids={','.join(map(str, ids))}")

    # --- Merge preview and unmerge --------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("merge/", view(self.merge_view), name="initiatives_initiative_merge"),
            path(
                "unmerge/<int:record_id>/",
                view(self.unmerge_view),
                name="initiatives_initiative_unmerge",
            ),
            *super().get_urls(),
        ]

    def merge_view(self, request):
        """Candidates side by side, the survivor to pick, the targets that will move."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:initiatives_initiative_changelist")
        data = request.POST if request.method == "POST" else request.GET
        try:
            ids = parse_ids(data.get("ids", ""))
            rows = list(
                Initiative.objects.filter(pk__in=ids)
                .select_related("document")
                .defer("document__text", "search_text")
                .order_by("pk")
            )
            merging.check_candidates(rows, ids)
            survivor = pick_survivor(rows, data.get("survivor"))
            if request.method == "POST":
                plan = merging.merge_initiatives(rows, request.user, survivor=survivor)
                self.message_user(request, merged_message(plan), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:initiatives_initiative_change", args=[survivor.pk])
                )
        except merging.CannotMerge as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(changelist)
        plan = merging.plan_merge(rows, survivor)
        columns = merge_columns(rows, survivor)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("合并重复举措：预览"),
            "columns": columns,
            "field_rows": [
                (label, [(column["fields"][i][1], column["is_survivor"]) for column in columns])
                for i, (label, _value) in enumerate(columns[0]["fields"])
            ],
            "plan": plan,
            "ids": ",".join(str(row.pk) for row in rows),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/initiatives/initiative/merge.html", context)

    def unmerge_view(self, request, record_id):
        """Confirm, then put a merged initiative back beside its survivor."""
        record = MergeRecord.objects.select_related("survivor", "merged").filter(pk=record_id)
        record = record.first()
        if record is None:
            self.message_user(request, _("找不到这条合并记录，可能已经撤销。"), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:initiatives_initiative_changelist"))
        if not self.has_change_permission(request, record.survivor):
            raise PermissionDenied
        survivor_url = reverse("admin:initiatives_initiative_change", args=[record.survivor_id])
        if request.method == "POST":
            try:
                survivor, duplicate, left = merging.unmerge(record, request.user)
            except merging.CannotUnmerge as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(survivor_url)
            text = _("已撤销合并：#%(dup)d “%(title)s”已恢复，不再并入 #%(pk)d。") % {
                "dup": duplicate.pk,
                "title": duplicate.title,
                "pk": survivor.pk,
            }
            if left:
                text += _("%(n)d 个指标此后被改挂到其他举措，保持不变。") % {"n": left}
            self.message_user(request, text, messages.SUCCESS)
            return HttpResponseRedirect(survivor_url)
        undo = record.undo or {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("撤销合并"),
            "record": record,
            "can_undo": bool(undo) and record.merged_id is not None,
            "moved": target_labels(e["id"] for e in undo.get("moved", [])),
            "doubled": target_labels(e["id"] for e in undo.get("doubled", [])),
            "survivor_url": survivor_url,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/initiatives/initiative/unmerge.html", context)


def unmerge_link(record):
    url = reverse("admin:initiatives_initiative_unmerge", args=[record.pk])
    return format_html('<a href="{}">{}</a>', url, _("撤销合并"))


def target_labels(ids):
    """``#12 城镇新增就业 = 20000人`` for each target still there."""
    targets = Target.objects.filter(pk__in=list(ids)).defer("text").order_by("pk")
    return [f"#{t.pk} {curation.row_repr(t)}" for t in targets]


def parse_ids(value):
    """``"3,5,8"`` → ``[3, 5, 8]``; anything else is a ``CannotMerge`` with a message."""
    parts = [part.strip() for part in str(value).split(",") if part.strip()]
    if not parts or not all(part.isdigit() and len(part) < 12 for part in parts):
        raise merging.CannotMerge(_("没有选择要合并的举措，或编号无效。"))
    return sorted({int(part) for part in parts})


def pick_survivor(rows, value):
    """The survivor the curator chose (one of ``rows``), else the suggested one."""
    if value in (None, ""):
        return merging.suggested_survivor(rows)
    for row in rows:
        if str(row.pk) == str(value):
            return row
    raise merging.CannotMerge(_("保留的举措必须是所选举措之一。"))


def merge_columns(rows, survivor):
    """One column per candidate: the fields a curator compares, in readable words."""
    regions = {}
    for link in InitiativeRegion.objects.filter(initiative__in=rows).order_by("region_id"):
        regions.setdefault(link.initiative_id, []).append(link.region_id)
    columns = []
    for row in rows:
        columns.append(
            {
                "row": row,
                "is_survivor": row.pk == survivor.pk,
                "fields": [
                    (_("标题"), row.title),
                    (_("原文"), row.text),
                    (_("文件"), f"{row.document.title}（{row.document.file_name}）"),
                    (_("地区"), curation.describe(Initiative, "regions", regions.get(row.pk, []))),
                    (_("年份"), curation.describe(Initiative, "year", row.year)),
                    (_("截止年份"), curation.describe(Initiative, "year_end", row.year_end)),
                    (_("主题"), "、".join(t.name_zh for t in row.themes.all()) or "—"),
                    (_("政策工具"), "、".join(i.name for i in row.instruments.all()) or "—"),
                    (_("状态"), row.get_status_display()),
                    (
                        _("人工修改"),
                        "、".join(curation.field_label(Initiative, f) for f in row.curated_fields)
                        or "—",
                    ),
                    (_("指标数"), str(row.targets.exclude(status=Status.HIDDEN).count())),
                ],
            }
        )
    return columns


def merged_message(plan):
    text = _("已将 %(n)d 条并入 #%(pk)d “%(title)s”，移入 %(moved)d 个指标。") % {
        "n": len(plan.duplicates),
        "pk": plan.survivor.pk,
        "title": plan.survivor.title,
        "moved": len(plan.moves),
    }
    if plan.doubles:
        text += _("另有 %(n)d 个指标与保留条目已有的相同，已合并（不重复发布）。") % {
            "n": len(plan.doubles)
        }
    return text
