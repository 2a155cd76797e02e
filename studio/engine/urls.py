from __future__ import annotations

from django.urls import path, re_path

from studio.engine.views import files, generations, outputs

app_name = "engine"

urlpatterns = [
    path("generations", generations.create, name="generations"),
    path("generations/<str:generation_id>", generations.detail, name="generation"),
    path("files", files.collection, name="files"),
    path("files/<str:file_id>", files.detail, name="file"),
    path("files/<str:file_id>/complete", files.complete, name="file-complete"),
    path("files/<str:file_id>/upload", files.upload, name="file-upload"),
    path("outputs/<str:generation_id>/<str:name>", outputs.output, name="output"),
    # Anything else under /v1/ answers JSON like the rest of the API, not an HTML page.
    re_path(r"^.*$", generations.not_found, name="not-found"),
]
