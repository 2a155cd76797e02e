from __future__ import annotations

app_name = "engine"

urlpatterns: list = []
