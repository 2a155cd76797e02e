from __future__ import annotations

from django.urls import path, re_path

from .views import generations, outputs

app_name = "engine"

urlpatterns = [
    path("generations", generations.create, name="generations"),
    path("generations/<str:generation_id>", generations.detail, name="generation"),
    path("outputs/<str:generation_id>/<str:name>", outputs.output, name="output"),
    # Anything else under /v1/ answers JSON like the rest of the API, not an HTML page.
    re_path(r"^.*$", generations.not_found, name="not-found"),
]
