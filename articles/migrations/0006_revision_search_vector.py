"""On PostgreSQL each revision stores its search document, computed once at insert, with a GIN index.

Revisions are immutable (a trigger refuses UPDATE), so a ``GENERATED ALWAYS AS (...) STORED`` column is
computed exactly once and never goes stale. The title weighs A, the two summaries B, the sections C; the
sections contribute only their string values (``jsonb_to_tsvector`` with the "string" filter), never the
key names "heading" and "body". Every function in the expression is IMMUTABLE, as a generated column
requires: ``to_tsvector`` and ``jsonb_to_tsvector`` with an explicit ``regconfig``, ``setweight``,
``coalesce``. The column is not a model field: ``articles.search`` refers to it by name, and other
databases search by substring without it.
"""

from django.db import migrations

COLUMN = "search_vector"
INDEX = "articles_revision_search_gin"

ADD_COLUMN = f"""
ALTER TABLE articles_revision ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(
        to_tsvector('english'::regconfig, coalesce(summary_patient, '') || ' ' || coalesce(summary_professional, '')),
        'B'
    )
    || setweight(jsonb_to_tsvector('english'::regconfig, coalesce(sections, '[]'::jsonb), '["string"]'), 'C')
) STORED;
"""
ADD_INDEX = f"CREATE INDEX {INDEX} ON articles_revision USING gin ({COLUMN});"


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(ADD_COLUMN, params=None)
    schema_editor.execute(ADD_INDEX, params=None)


def remove_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX};", params=None)
    schema_editor.execute(f"ALTER TABLE articles_revision DROP COLUMN IF EXISTS {COLUMN};", params=None)


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_dashboard_indexes")]

    operations = [migrations.RunPython(add_search_vector, remove_search_vector)]
