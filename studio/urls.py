from __future__ import annotations

from django.conf import settings
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("studio.accounts.urls")),
    path("teams/", include("studio.teams.urls")),
    path("", include("studio.generations.urls")),
    path("compose/", include("studio.composer.urls")),
    path("", include("studio.review.urls")),
    path("", include("studio.api.urls")),
]

if settings.ENGINE_ENABLED:
    # The local engine serves the generation API's contract under /v1/.
    urlpatterns.append(path("v1/", include("studio.engine.urls")))
