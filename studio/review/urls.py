from __future__ import annotations

from django.urls import path

from studio.review import views

app_name = "review"

urlpatterns = [
    path("", views.gallery, name="gallery"),
]
