"""On PostgreSQL the database refuses UPDATE and DELETE of reviews and of the transition log."""

import importlib

from django.db import migrations

create_triggers = importlib.import_module("articles.migrations.0002_immutable_rows_trigger").create_triggers


class Migration(migrations.Migration):
    dependencies = [("reviewboard", "0001_initial"), ("articles", "0002_immutable_rows_trigger")]

    operations = [
        migrations.RunPython(
            *create_triggers(["reviewboard_review", "reviewboard_transitionlogentry"], events="UPDATE OR DELETE")
        )
    ]
