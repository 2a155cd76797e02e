"""Write the prompt search's GIN index directly, without its pending list (PostgreSQL).

With GIN's default fast update, new rows' words wait in a pending list that every search
scans until a vacuum merges it. The planner counts that list in the index's cost, so while
it is long (after a burst of new or rolled-back generations) a search stops using the index
and walks the team's rows instead. Generations are written at the pace people compose, so
the index can afford to take each row's words at once.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEX = "gen_prompt_search"


def direct(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
    # Merge what is already waiting, so the next search does not scan it.
    schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def pending(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("review", "0006_prompt_search_vector")]

    operations = [migrations.RunPython(direct, pending)]
