"""`python manage.py purge_trash [--older-than DAYS]`: purge the trash now.

Without ``--older-than`` it purges what has been in the trash longer than
STUDIO_TRASH_DAYS; ``--older-than 0`` purges the whole trash.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studio.generations.trash import purge_due


class Command(BaseCommand):
    help = "Delete the files of generations in the trash for good (their rows are kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            help="purge what has been in the trash at least this many days (0: all of it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["older_than"]
        if days is not None and days < 0:
            raise CommandError("--older-than must be 0 or more days")
        purged = purge_due(older_than_days=days)
        self.stdout.write(f"Purged {purged} generation(s).")
