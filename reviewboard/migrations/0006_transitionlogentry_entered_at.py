"""Record on each transition log row when the article entered the state it left (issue 5).

The existing rows are filled in from the log itself: the previous row of the same article, or the
article's creation for its first row. The log is append-only; on PostgreSQL its trigger refuses
UPDATE, so it is disabled for this one backfill, inside the migration's transaction.
"""

from django.db import migrations, models

LOG = "reviewboard_transitionlogentry"
ARTICLE = "articles_article"
TRIGGER = f"{LOG}_immutable"

POSTGRESQL_BACKFILL = f"""
UPDATE {LOG} AS target SET entered_at = stays.entered_at
FROM (
    SELECT l.id, COALESCE(
        LAG(l.created_at) OVER (PARTITION BY l.article_id ORDER BY l.created_at, l.id), a.created_at
    ) AS entered_at
    FROM {LOG} l JOIN {ARTICLE} a ON a.id = l.article_id
) AS stays
WHERE target.id = stays.id
"""

# Elsewhere (SQLite): the same, as a correlated subquery.
PORTABLE_BACKFILL = f"""
UPDATE {LOG} SET entered_at = COALESCE(
    (SELECT p.created_at FROM {LOG} p
     WHERE p.article_id = {LOG}.article_id
       AND (p.created_at < {LOG}.created_at OR (p.created_at = {LOG}.created_at AND p.id < {LOG}.id))
     ORDER BY p.created_at DESC, p.id DESC LIMIT 1),
    (SELECT a.created_at FROM {ARTICLE} a WHERE a.id = {LOG}.article_id)
)
"""


def backfill_entered_at(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {LOG} DISABLE TRIGGER {TRIGGER}", params=None)
        schema_editor.execute(POSTGRESQL_BACKFILL, params=None)
        schema_editor.execute(f"ALTER TABLE {LOG} ENABLE TRIGGER {TRIGGER}", params=None)
    else:
        schema_editor.execute(PORTABLE_BACKFILL, params=None)


class Migration(migrations.Migration):
    dependencies = [("reviewboard", "0005_dashboard_indexes")]

    operations = [
        migrations.AddField(
            model_name="transitionlogentry",
            name="entered_at",
            field=models.DateTimeField(null=True, help_text="When the article entered the state it left here."),
        ),
        migrations.RunPython(backfill_entered_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="transitionlogentry",
            name="entered_at",
            field=models.DateTimeField(help_text="When the article entered the state it left here."),
        ),
        migrations.RemoveIndex(model_name="transitionlogentry", name="log_created_covering_idx"),
        migrations.AddIndex(
            model_name="transitionlogentry",
            index=models.Index(
                fields=["from_state", "created_at"], include=("entered_at", "article"), name="log_state_stay_idx"
            ),
        ),
    ]
