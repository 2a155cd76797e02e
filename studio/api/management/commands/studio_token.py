"""`python manage.py studio_token create EMAIL [--team NAME] [--name NAME]` and
`python manage.py studio_token revoke PREFIX`: personal API tokens from the command line.

`create` prints the new token on its last line, so a script can take it with `tail -n 1`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from studio.api.models import ApiToken
from studio.api.tokens import SCHEME, issue, revoke
from studio.teams.models import Membership

DEFAULT_NAME = "Command line"


class Command(BaseCommand):
    help = "Create or revoke a personal API token."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a token; printed on the last line.")
        create.add_argument("email", help="The account the token acts as.")
        create.add_argument("--team", help="The team's name or slug (default: their first team).")
        create.add_argument("--name", default=DEFAULT_NAME, help="What the token is for.")
        remove = actions.add_parser("revoke", help="Stop a token working.")
        remove.add_argument("prefix", help="The token's prefix (or the whole token).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self.create(options["email"], options["team"], options["name"])
        else:
            self.revoke(options["prefix"])

    def create(self, email: str, team_name: str | None, name: str) -> None:
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account uses the email {email}.")
        memberships = Membership.objects.select_related("team").filter(user=user)
        if team_name is None:
            membership = memberships.order_by("created_at", "id").first()
            if membership is None:
                raise CommandError(f"{user.email} is not in any team.")
        else:
            found = list(memberships.filter(team__name__iexact=team_name.strip()))
            if not found:
                found = list(memberships.filter(team__slug=team_name.strip()))
            if not found:
                teams = ", ".join(sorted(m.team.name for m in memberships)) or "none"
                raise CommandError(
                    f"{user.email} is not in a team named {team_name!r} (their teams: {teams})."
                )
            if len(found) > 1:
                raise CommandError(
                    f"{user.email} is in several teams named {team_name!r}: use the slug "
                    f"({', '.join(m.team.slug for m in found)})."
                )
            membership = found[0]
        if not name.strip():
            raise CommandError("The token's name cannot be empty.")
        token, raw = issue(user, membership.team, name[:100])
        self.stdout.write(
            f"Token “{token.name}” for {user.email} in {membership.team.name} "
            f"({membership.get_role_display()}), prefix {token.prefix}."
        )
        self.stdout.write("Copy it now: it is not stored and cannot be shown again.")
        self.stdout.write(raw)

    def revoke(self, prefix: str) -> None:
        prefix = prefix.strip()
        if prefix.startswith(f"{SCHEME}_"):
            # A whole token (or `studio_<prefix>_…` copied from the tokens page).
            prefix = prefix.split("_")[1]
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token has the prefix {prefix!r}.")
        if revoke(token):
            self.stdout.write(f"Revoked “{token.name}” ({prefix}) of {token.user.email}.")
        else:
            self.stdout.write(
                f"“{token.name}” ({prefix}) of {token.user.email} was already revoked."
            )
