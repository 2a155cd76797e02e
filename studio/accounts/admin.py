"""People and groups in the operators' admin: Django's own pages, with the studio's
refusals of malformed filters and selections (``studio.operators.OperatorAdmin``).
Passwords are shown only as Django shows them: the algorithm, never the hash."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from studio.operators import OperatorAdmin

admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class UserAdmin(OperatorAdmin, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(OperatorAdmin, auth_admin.GroupAdmin):
    pass
