"""Per-key limits (contract §5) and the balance (§4 402, budget_exhausted)."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone

from studio.engine.keys import hash_key
from studio.engine.models import ApiKey, EngineGeneration, RateEvent
from studio.engine.testing import create_key, run_pending_renders
from tests.engine.conftest import wsgi_client
from tests.engine.test_generations import text_body


def test_created_answers_carry_the_window(db: None, settings: object) -> None:
    settings.ENGINE_RPM_LIMIT = 3  # type: ignore[attr-defined]
    with wsgi_client(create_key()) as api:
        before = time.time()
        first = api.post("/generations", json=text_body())
        second = api.post("/generations", json=text_body())
    assert first.status_code == second.status_code == 201
    assert first.headers["X-RateLimit-Limit"] == "3"
    assert first.headers["X-RateLimit-Remaining"] == "2"
    assert second.headers["X-RateLimit-Remaining"] == "1"
    reset = int(first.headers["X-RateLimit-Reset"])
    assert before + 59 <= reset <= time.time() + 61
    assert int(second.headers["X-RateLimit-Reset"]) == reset  # the oldest request decides


def test_rpm_exceeded(db: None) -> None:
    key = create_key(rpm_limit=2, concurrent_limit=50)
    with wsgi_client(key) as api:
        assert api.post("/generations", json=text_body()).status_code == 201
        assert api.post("/generations", json=text_body()).status_code == 201
        refused = api.post("/generations", json=text_body())
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Rate limit exceeded"}
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Limit"] == "2"
    retry = int(refused.headers["Retry-After"])
    assert 1 <= retry <= 60
    assert int(refused.headers["X-RateLimit-Reset"]) >= int(time.time())
    assert EngineGeneration.objects.count() == 2  # nothing was created for the refusal


def test_the_window_slides(db: None) -> None:
    key = create_key(rpm_limit=1)
    record = ApiKey.objects.get(secret_hash=hash_key(key))
    with wsgi_client(key) as api:
        assert api.post("/generations", json=text_body()).status_code == 201
        assert api.post("/generations", json=text_body()).status_code == 429
        # The request ages out of the 60 s window; old rows are pruned, not counted.
        RateEvent.objects.filter(key=record).update(at=timezone.now() - timedelta(seconds=61))
        assert api.post("/generations", json=text_body()).status_code == 201
    assert RateEvent.objects.filter(key=record).count() == 1


def test_retry_after_counts_down_to_the_oldest(db: None) -> None:
    key = create_key(rpm_limit=1)
    record = ApiKey.objects.get(secret_hash=hash_key(key))
    RateEvent.objects.create(key=record, at=timezone.now() - timedelta(seconds=50))
    with wsgi_client(key) as api:
        refused = api.post("/generations", json=text_body())
    assert refused.status_code == 429
    assert 9 <= int(refused.headers["Retry-After"]) <= 11


def test_too_many_concurrent_jobs(db: None) -> None:
    key = create_key(concurrent_limit=2)
    with wsgi_client(key) as api:
        assert api.post("/generations", json=text_body()).status_code == 201
        assert api.post("/generations", json=text_body()).status_code == 201
        refused = api.post("/generations", json=text_body())
        assert refused.status_code == 429
        assert refused.json() == {"detail": "Too many concurrent jobs"}
        assert refused.headers["Retry-After"] == "60"
        assert not [h for h in refused.headers if h.lower().startswith("x-ratelimit")]
        # A finished job frees its slot.
        run_pending_renders(limit=1)
        assert api.post("/generations", json=text_body()).status_code == 201


def test_limits_are_per_key(db: None) -> None:
    with wsgi_client(create_key(rpm_limit=1)) as one, wsgi_client(create_key(rpm_limit=1)) as two:
        assert one.post("/generations", json=text_body()).status_code == 201
        assert two.post("/generations", json=text_body()).status_code == 201


def test_errors_other_than_429_carry_no_rate_headers(api: httpx.Client) -> None:
    refused = api.post("/generations", json={"model": "ray-3.2"})
    assert refused.status_code == 400
    assert not [h for h in refused.headers if h.lower().startswith("x-ratelimit")]


@pytest.fixture
def balance_on(settings: object) -> None:
    settings.ENGINE_BALANCE_ENABLED = True  # type: ignore[attr-defined]


def test_price_over_balance_is_402(db: None, balance_on: None) -> None:
    # 360p 5 s costs 0.06; 720p 0.30.
    with wsgi_client(create_key(balance="0.10")) as api:
        refused = api.post("/generations", json=text_body(resolution="720p"))
        assert refused.status_code == 402
        assert refused.json() == {"detail": "Insufficient balance. Please add funds to continue."}
        assert api.post("/generations", json=text_body()).status_code == 201


def test_balance_is_ignored_when_the_setting_is_off(db: None) -> None:
    with wsgi_client(create_key(balance="0.00")) as api:
        assert api.post("/generations", json=text_body()).status_code == 201


def test_charged_on_completion_and_budget_exhausted_mid_render(db: None, balance_on: None) -> None:
    key = create_key(balance="0.10")
    record = ApiKey.objects.get(secret_hash=hash_key(key))
    with wsgi_client(key) as api:
        # Both fit the balance when asked; only one can be paid for when they finish.
        first = api.post("/generations", json=text_body()).json()["id"]
        second = api.post("/generations", json=text_body()).json()["id"]
        assert run_pending_renders() == 2
        states = {g: api.get(f"/generations/{g}").json() for g in (first, second)}
    assert states[first]["state"] == "completed"
    assert states[second]["state"] == "failed"
    assert states[second]["failure_code"] == "budget_exhausted"
    assert states[second]["failure_reason"] == "Insufficient credits to complete this generation."
    record.refresh_from_db()
    assert record.balance == Decimal("0.04")


def test_failed_generations_are_not_charged(db: None, balance_on: None, settings: object) -> None:
    settings.ENGINE_MODERATION_WORDS = ["forbidden"]  # type: ignore[attr-defined]
    key = create_key(balance="1.00")
    with wsgi_client(key) as api:
        body = text_body()
        body["prompt"] = "something forbidden"
        api.post("/generations", json=body)
        run_pending_renders()
    assert ApiKey.objects.get(secret_hash=hash_key(key)).balance == Decimal("1.00")
