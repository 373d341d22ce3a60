"""Machine originals beside curated values (CurationRecord), merges kept as provenance
(MergeRecord), and what the Curators group gains with them.

Curators now load documents (add_document: the admin upload page) and see both kinds of
record (view only: the rows are written by the admin itself, never by hand).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GROUP = "Curators"
GRANTED = [
    ("initiatives", "add_document"),
    ("initiatives", "view_curationrecord"),
    ("initiatives", "view_mergerecord"),
]


def _ensure_permissions(apps):
    # Permissions of models created in this migration only exist after post_migrate.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("initiatives")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def grant(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in GRANTED:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is None:
        return
    for app_label, codename in GRANTED:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0004_curators_group"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="CurationRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("field", models.CharField(max_length=40, verbose_name="字段")),
                (
                    "machine_value",
                    models.JSONField(blank=True, null=True, verbose_name="机器抽取的值"),
                ),
                (
                    "curated_value",
                    models.JSONField(blank=True, null=True, verbose_name="人工修改后的值"),
                ),
                (
                    "extractor_version",
                    models.CharField(blank=True, max_length=32, verbose_name="抽取器版本"),
                ),
                ("created", models.DateTimeField(auto_now_add=True, verbose_name="首次修改时间")),
                ("updated", models.DateTimeField(auto_now=True, verbose_name="最近修改时间")),
                (
                    "initiative",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="curation_records",
                        to="initiatives.initiative",
                        verbose_name="举措",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="curation_records",
                        to="initiatives.target",
                        verbose_name="指标",
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
                "verbose_name": "人工修改记录",
                "verbose_name_plural": "人工修改记录（机器原值）",
                "ordering": ["field", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("initiative__isnull", False), ("target__isnull", True)),
                            models.Q(("initiative__isnull", True), ("target__isnull", False)),
                            _connector="OR",
                        ),
                        name="curation_record_one_owner",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("initiative__isnull", False)),
                        fields=("initiative", "field"),
                        name="curation_record_initiative_field_unique",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("target__isnull", False)),
                        fields=("target", "field"),
                        name="curation_record_target_field_unique",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="MergeRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "merged_initiative_id",
                    models.PositiveBigIntegerField(verbose_name="被并入举措编号"),
                ),
                ("document_title", models.CharField(max_length=300, verbose_name="文件标题")),
                (
                    "document_file",
                    models.CharField(blank=True, max_length=255, verbose_name="文件名"),
                ),
                ("title", models.CharField(max_length=200, verbose_name="标题")),
                ("text", models.TextField(verbose_name="原文")),
                ("start", models.PositiveIntegerField(verbose_name="起始位置")),
                ("end", models.PositiveIntegerField(verbose_name="结束位置")),
                ("created", models.DateTimeField(auto_now_add=True, verbose_name="合并时间")),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="initiatives.document",
                        verbose_name="来源文件",
                    ),
                ),
                (
                    "merged",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="merged_into_records",
                        to="initiatives.initiative",
                        verbose_name="被并入的举措",
                    ),
                ),
                (
                    "survivor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="merge_records",
                        to="initiatives.initiative",
                        verbose_name="保留的举措",
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
                        verbose_name="合并人",
                    ),
                ),
            ],
            options={
                "verbose_name": "合并记录",
                "verbose_name_plural": "合并记录（也见于）",
                "ordering": ["pk"],
                "indexes": [
                    models.Index(fields=["merged_initiative_id"], name="merge_record_merged_idx")
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
