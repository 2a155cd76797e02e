from __future__ import annotations

from django.urls import path, re_path

from studio.api.views import comments, generations, imports, meta, previews, tokens

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
    path(
        "api/v1/generations/<uuid:generation_id>/comments",
        comments.comments,
        name="generation_comments",
    ),
    path(
        "api/v1/generations/<uuid:generation_id>/trash",
        generations.generation_trash,
        name="generation_trash",
    ),
    path(
        "api/v1/generations/<uuid:generation_id>/restore",
        generations.generation_restore,
        name="generation_restore",
    ),
    path("api/v1/imports", imports.imports, name="imports"),
    path("api/v1/previews", previews.previews, name="previews"),
    path("api/v1/previews/<uuid:preview_id>", previews.preview, name="preview"),
    path("api/v1/previews/<uuid:preview_id>/video", previews.preview_video, name="preview_video"),
    # Last: any other path under api/v1/ is a JSON 404.
    re_path(r"^api/v1/(?P<rest>.*)$", meta.not_found, name="not_found"),
]
