"""Withdrawing a document from the public site, and bringing it back.

Nothing is deleted: the document's visible initiatives and targets are hidden, and the
status each had is kept on the document, so restoring gives back exactly what was public
(a row a curator hid before the withdrawal stays hidden). Hiding goes through the rows'
status, which the public pages, the exports and the search index already honour.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone

from initiatives.models import Document, Initiative, Status, Target

MODELS = {"initiatives": Initiative, "targets": Target}


def withdraw(document, user):
    """Hide the document and its rows; False if it was already withdrawn."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.is_withdrawn:
            return False
        statuses = {}
        for name, model in MODELS.items():
            rows = model.objects.filter(document=document).exclude(status=Status.HIDDEN)
            statuses[name] = {str(pk): status for pk, status in rows.values_list("pk", "status")}
            rows.update(status=Status.HIDDEN)
        document.withdrawn_at = timezone.now()
        document.withdrawn_statuses = statuses
        document.save(update_fields=["withdrawn_at", "withdrawn_statuses", "updated"])
        LogEntry.objects.log_actions(
            user.pk,
            [document],
            CHANGE,
            f"撤回文件：{len(statuses['initiatives'])} 条举措、{len(statuses['targets'])} 个指标"
            "不再公开",
        )
    return True


def restore(document, user):
    """Give the rows back the status they had; False if the document was not withdrawn."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not document.is_withdrawn:
            return False
        for name, model in MODELS.items():
            by_status = {}
            for pk, status in (document.withdrawn_statuses.get(name) or {}).items():
                by_status.setdefault(status, []).append(int(pk))
            for status, pks in by_status.items():
                # Only rows still hidden: one a curator changed meanwhile keeps that change.
                model.objects.filter(pk__in=pks, status=Status.HIDDEN).update(status=status)
        document.withdrawn_at = None
        document.withdrawn_statuses = {}
        document.save(update_fields=["withdrawn_at", "withdrawn_statuses", "updated"])
        LogEntry.objects.log_actions(user.pk, [document], CHANGE, "恢复公开已撤回的文件")
    return True
