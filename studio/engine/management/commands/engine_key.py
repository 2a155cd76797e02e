"""`python manage.py engine_key create|revoke|list`: the local engine's API keys.

`create NAME` prints the key alone on its last line, so scripts can take it with
`tail -n 1`. Only a hash is stored: a lost key cannot be shown again, only replaced.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from studio.engine.keys import KEY_PREFIX, create_key, revoke
from studio.engine.models import ApiKey


def _duration(value: str) -> timedelta:
    """``90s``, ``15m``, ``12h``, ``30d`` (a bare number is days)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    unit = value[-1:].lower()
    number = value[:-1] if unit in units else value
    try:
        amount = float(number)
    except ValueError:
        raise CommandError(f"--expires-in {value!r}: use e.g. 3600s, 30m, 12h or 30d") from None
    if amount <= 0:
        raise CommandError("--expires-in must be positive")
    return timedelta(seconds=amount * units.get(unit, 86400))


def _balance(value: str) -> Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise CommandError(f"--balance {value!r} is not an amount in USD") from None
    if not amount.is_finite() or amount < 0:
        raise CommandError("--balance must be zero or more")
    return amount.quantize(Decimal("0.01"))


class Command(BaseCommand):
    help = "Create, revoke and list the local engine's API keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it.")
        create.add_argument("name")
        create.add_argument("--expires-in", type=_duration, default=None)
        create.add_argument("--balance", type=_balance, default=None, help="USD, e.g. 25.00")
        create.add_argument("--rpm", type=int, default=None, help="Requests per minute.")
        create.add_argument("--concurrent", type=int, default=None, help="Concurrent jobs.")
        revoke = sub.add_parser("revoke", help="Revoke keys by name or key prefix.")
        revoke.add_argument("name_or_prefix")
        sub.add_parser("list", help="List keys: name, prefix, created, state.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_create(self, options: dict[str, Any]) -> None:
        expires_in = options["expires_in"]
        for limit in ("rpm", "concurrent"):
            if options[limit] is not None and options[limit] < 1:
                raise CommandError(f"--{limit} must be at least 1")
        record, secret = create_key(
            options["name"],
            expires_at=timezone.now() + expires_in if expires_in else None,
            balance=options["balance"],
            rpm_limit=options["rpm"],
            concurrent_limit=options["concurrent"],
        )
        self.stdout.write(f"Created key '{record.name}' ({record.prefix}…). Keep it safe:")
        self.stdout.write(secret)

    def do_revoke(self, options: dict[str, Any]) -> None:
        wanted = options["name_or_prefix"].removeprefix(KEY_PREFIX)
        keys = ApiKey.objects.filter(
            Q(name=wanted) | Q(prefix=wanted[:8]) if wanted else Q(pk=None)
        )
        count = revoke(keys)
        if not count:
            raise CommandError(f"no active key named or starting with '{wanted}'")
        self.stdout.write(f"Revoked {count} key(s).")

    def do_list(self, options: dict[str, Any]) -> None:
        rows = [("NAME", "PREFIX", "CREATED", "STATE")]
        for key in ApiKey.objects.all():
            created = key.created_at.strftime("%Y-%m-%d %H:%M")
            rows.append((key.name, f"{KEY_PREFIX}{key.prefix}…", created, key.state))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
