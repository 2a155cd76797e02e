"""/healthz, /readyz and /metrics: for load balancers, orchestrators and Prometheus.

The first two need no sign-in and say nothing sensitive (names of checks and roles, and
"ok" or why not; never hosts, instances or errors). /metrics needs the metrics token.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from studio.api.http import bearer_token
from studio.health import checks
from studio.health.metrics import registry


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is checked (a liveness probe)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: 200 when every check is ok, else 503 naming the failing ones."""
    found = checks.readiness()
    failing = sorted(name for name, result in found.items() if result != "ok")
    body: dict[str, object] = {"status": "unavailable" if failing else "ok", "checks": found}
    if failing:
        body["failing"] = [f"{name}: {found[name]}" for name in failing]
    return JsonResponse(body, status=503 if failing else 200)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    expected = settings.STUDIO_METRICS_TOKEN
    if not expected:
        raise Http404("Metrics are off.")
    given = bearer_token(request)
    # Constant time: the comparison must not tell how much of a guess was right.
    if not hmac.compare_digest(given.encode(), expected.encode()):
        response = JsonResponse({"detail": "A valid metrics token is required."}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
