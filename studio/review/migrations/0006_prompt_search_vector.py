"""A stored search vector for the gallery's prompt search, on PostgreSQL only.

The vector is a generated column, so every write keeps it in step without a trigger or a
save() hook, and its GIN index keeps the old index's name (gen_prompt_search). ANALYZE
keeps statistics on the column's words, so the planner knows a rare word is rare and
takes the index instead of walking the newest-first index to the end. SQLite has no
column; it searches with LIKE (see studio/review/gallery.py).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEX = "gen_prompt_search"
COLUMN = "prompt_search"
TABLE = "generations_generation"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS "
        "(to_tsvector('english'::regconfig, COALESCE(prompt, ''))) STORED"
    )
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {TABLE} USING gin ({COLUMN})")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {COLUMN}")
    # Back to migration 0002's expression index.
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON {TABLE} "
        "USING gin (to_tsvector('english'::regconfig, COALESCE(prompt, '')))"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0005_comment_range_drawing"),
        ("generations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
