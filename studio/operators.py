"""Shared pieces of the operators' admin (``/admin/``, staff accounts only).

The admin follows the studio's rules: what is derived or recorded by the studio itself
(states, prices, hashes) is shown, never edited by hand, and no key or token is ever
shown in clear, nor its hash where the prefix is enough to tell keys apart.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.db.models import Model, QuerySet, UUIDField
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from studio.contract.parsing import parse_id, parse_uuid

BAD_SELECTION = "The selection names a row that cannot exist. Tick rows in the list."


def _filtered_on(entry: Any) -> str:
    """The field (or parameter) a ``list_filter`` entry filters on."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, tuple):
        return entry[0]
    return getattr(entry, "parameter_name", "")


class OperatorAdmin(admin.ModelAdmin):
    """What every model admin of the studio refuses, as the pages do, with a 400 rather
    than a database error: filtering by anything but the list's own filters (the admin
    otherwise takes any lookup on a field from the query string, and a value the database
    cannot hold fails only when the query runs), and an action on ids that cannot exist."""

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup.split("__", 1)[0] in {_filtered_on(f) for f in self.list_filter}

    def response_action(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        action_location: ActionLocation = ActionLocation.CHANGE_LIST,
    ) -> HttpResponse | None:
        parse = parse_uuid if isinstance(self.model._meta.pk, UUIDField) else parse_id
        if any(parse(value) is None for value in request.POST.getlist(ACTION_CHECKBOX_NAME)):
            return HttpResponseBadRequest(BAD_SELECTION)
        return super().response_action(request, queryset, action_location)


class ReadMostly(OperatorAdmin):
    """Every field read-only, no adding, no deleting: changes go through the actions,
    which call the same functions as the studio's pages. Fields in ``hidden`` are not
    shown at all."""

    hidden: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fields = [f.name for f in self.model._meta.concrete_fields if f.name not in self.hidden]
        return [*fields, *self.readonly_fields]

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return [*(super().get_exclude(request, obj) or ()), *self.hidden]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return [*(self.fields or ()), *self.readonly_fields]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
