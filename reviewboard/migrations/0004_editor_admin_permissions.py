"""Give the Editors group its admin permissions: the editorial models, no deletes, no users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from reviewboard.roles import grant_editor_permissions


def grant(apps, schema_editor):
    # On a fresh database the permissions are only created after the last migration (post_migrate);
    # create them now so that the group can be given them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_editor_permissions(
        group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0004_followup_questions"),
        ("reviewboard", "0003_notifications"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
