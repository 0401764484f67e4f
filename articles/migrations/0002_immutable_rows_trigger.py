"""On PostgreSQL the database itself refuses UPDATE of revisions and references.

Other databases rely on ``ImmutableModel.save``. A trigger function shared by both tables; the
reviewboard app reuses it for reviews and the transition log.
"""

from django.db import migrations

TABLES = ["articles_revision", "articles_reference"]

FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rows of % are immutable (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(tables, events="UPDATE"):
    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION, params=None)
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE {events} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_change();"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")

    return forwards, backwards


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(*create_triggers(TABLES))]
