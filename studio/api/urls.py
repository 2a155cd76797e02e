from __future__ import annotations

from django.urls import path, re_path

from studio.api.views import generations, imports, meta, tokens

app_name = "api"

# Both the account pages for tokens and (under api/v1/) the JSON API itself.
urlpatterns = [
    path("account/tokens/", tokens.tokens_page, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("api/v1/openapi.json", meta.openapi, name="openapi"),
    path("api/v1/generations", generations.generations, name="generations"),
    path("api/v1/generations/<uuid:generation_id>", generations.generation, name="generation"),
    path(
        "api/v1/generations/<uuid:generation_id>/outputs/<slug:kind>",
        generations.generation_output,
        name="generation_output",
    ),
    path(
        "api/v1/generations/<uuid:generation_id>/cancel",
        generations.generation_cancel,
        name="generation_cancel",
    ),
    path("api/v1/imports", imports.imports, name="imports"),
    # Last: any other path under api/v1/ is a JSON 404.
    re_path(r"^api/v1/(?P<rest>.*)$", meta.not_found, name="not_found"),
]
