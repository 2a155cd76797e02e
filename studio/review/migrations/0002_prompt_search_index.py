"""A GIN index for the gallery's prompt search, on PostgreSQL only.

The expression is the one Django writes for SearchVector("prompt", config="english"), so
the planner can use it; SQLite searches with LIKE (see studio/review/gallery.py).
"""

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db import migrations
from django.db.migrations.state import StateApps

INDEX = "gen_prompt_search"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON generations_generation "
        "USING gin (to_tsvector('english'::regconfig, COALESCE(prompt, '')))"
    )


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("generations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
