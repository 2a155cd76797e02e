from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# Operators (staff accounts) look after a deployment here; see studio/*/admin.py.
admin.site.site_header = admin.site.site_title = "Studio operators"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("studio.accounts.urls")),
    path("teams/", include("studio.teams.urls")),
    path("", include("studio.generations.urls")),
    path("compose/", include("studio.composer.urls")),
    path("", include("studio.review.urls")),
    path("", include("studio.previews.urls")),
    path("", include("studio.api.urls")),
    path("", include("studio.notifications.urls")),
    path("", include("studio.health.urls")),
]

if settings.ENGINE_ENABLED:
    # The local engine serves the generation API's contract under /v1/.
    urlpatterns.append(path("v1/", include("studio.engine.urls")))
