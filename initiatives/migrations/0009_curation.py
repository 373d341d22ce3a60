"""Field-level curation, the activity log, undoable merges, a read-only gazetteer.

- ``CurationActivity``: every admin change in readable words (the activity page); curators
  may view it.
- ``MergeRecord.undo``: what a merge changed, so that it can be undone.
- A review status, or having been merged into, no longer protects a row from re-extraction:
  the markers ``status`` and ``targets`` leave ``curated_fields`` (real field names stay).
- Curators lose ``change_region``: official names come from GB/T 2260.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GROUP = "Curators"
MARKERS = {"status", "targets"}


def _ensure_permissions(apps):
    # Permissions of models created in this migration only exist after post_migrate.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("initiatives")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def _permission(apps, app_label, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)


def forward(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*_permission(apps, "initiatives", "view_curationactivity"))
    group.permissions.remove(*_permission(apps, "regions", "change_region"))
    for name in ("Initiative", "Target"):
        model = apps.get_model("initiatives", name)
        for row in model.objects.exclude(curated_fields=[]).only("pk", "curated_fields"):
            kept = [f for f in row.curated_fields or () if f not in MARKERS]
            if kept != row.curated_fields:
                model.objects.filter(pk=row.pk).update(curated_fields=kept)


def backward(apps, schema_editor):
    # The markers cannot be told apart from nothing once removed; permissions come back.
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*_permission(apps, "regions", "change_region"))
        group.permissions.remove(*_permission(apps, "initiatives", "view_curationactivity"))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("initiatives", "0008_identity"),
        ("regions", "0002_load_gazetteer"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="mergerecord",
            name="undo",
            field=models.JSONField(
                blank=True, default=dict, editable=False, verbose_name="撤销所需信息"
            ),
        ),
        migrations.CreateModel(
            name="CurationActivity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("add", "新增"),
                            ("edit", "修改"),
                            ("status", "审核状态"),
                            ("revert", "恢复机器值"),
                            ("carry", "随举措修改"),
                            ("merge", "合并"),
                            ("unmerge", "撤销合并"),
                            ("delete", "删除"),
                        ],
                        max_length=10,
                        verbose_name="操作",
                    ),
                ),
                ("object_id", models.CharField(max_length=64, verbose_name="编号")),
                ("object_repr", models.CharField(max_length=200, verbose_name="条目")),
                ("field", models.CharField(blank=True, max_length=40, verbose_name="字段")),
                (
                    "field_label",
                    models.CharField(blank=True, max_length=60, verbose_name="字段名称"),
                ),
                ("old_value", models.TextField(blank=True, verbose_name="原值")),
                ("new_value", models.TextField(blank=True, verbose_name="新值")),
                ("note", models.TextField(blank=True, verbose_name="说明")),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        to="contenttypes.contenttype",
                        verbose_name="类型",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="initiatives.document",
                        verbose_name="文件",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="修改人",
                    ),
                ),
            ],
            options={
                "verbose_name": "修改记录",
                "verbose_name_plural": "修改记录",
                "ordering": ["-created", "-pk"],
                "indexes": [
                    models.Index(fields=["-created"], name="activity_latest_idx"),
                    models.Index(fields=["user", "-created"], name="activity_user_idx"),
                    models.Index(fields=["document", "-created"], name="activity_document_idx"),
                    models.Index(fields=["content_type", "object_id"], name="activity_row_idx"),
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
