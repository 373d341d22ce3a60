"""The Curators group: exactly what reviewing and correcting the extraction needs.

Curators view and change documents, initiatives, targets, themes and instruments; add
themes, instruments and targets (the vocabularies grow with the corpus, and a missed target
is added by hand); manage an initiative's regions (the InitiativeRegion inline); view and
change regions (adding an alias is a change). They cannot delete regions, documents,
initiatives or targets (hide them instead), and get no permission on users or groups.
"""

from django.db import migrations

GROUP = "Curators"

PERMISSIONS = {
    "initiatives": {
        "document": ["view", "change"],
        "initiative": ["view", "change"],
        "initiativeregion": ["view", "add", "change", "delete"],
        "target": ["view", "add", "change"],
        "theme": ["view", "add", "change"],
        "policyinstrument": ["view", "add", "change"],
    },
    "regions": {
        "region": ["view", "change"],
    },
}


def create_group(apps, schema_editor):
    # On a fresh database permissions are only created after all migrations (post_migrate);
    # create them now so the group can be filled in the same run.
    from django.contrib.auth.management import create_permissions

    for app_label in PERMISSIONS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [
        (app_label, f"{action}_{model}")
        for app_label, models in PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]
    permissions = []
    for app_label, codename in codenames:
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0003_search_index"),
        ("regions", "0002_load_gazetteer"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
