from __future__ import annotations

from django.urls import path

from studio.previews import views

app_name = "previews"

# The composer's Preview button; the JSON API's routes are in studio.api.urls.
urlpatterns = [
    path("compose/preview", views.preview, name="preview"),
    path("compose/preview/<uuid:preview_id>", views.state, name="state"),
    path("compose/preview/<uuid:preview_id>/video", views.video, name="video"),
]
