"""The API views' plumbing (studio/api/http.py), through tiny test-only views."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from studio.api.http import json_body, problem
from studio.api.tokens import issue, revoke

pytestmark = pytest.mark.urls("tests.api.urls")


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def tokens(personas) -> dict[str, str]:
    """A token per Northwind member, and one of the outsider's in their own team."""
    made = {
        role: issue(getattr(personas, role), personas.team, role)[1]
        for role in ("owner", "editor", "reviewer", "viewer")
    }
    made["outsider"] = issue(personas.outsider, personas.other_team, "outsider")[1]
    return made


def test_problem_is_a_detail_and_extras() -> None:
    response = problem(409, "Already done", hint="Try another")
    assert response.status_code == 409
    assert json.loads(response.content) == {"detail": "Already done", "hint": "Try another"}


def test_a_token_acts_as_its_person_in_its_team(client, tokens) -> None:
    response = client.get("/t/whoami/", headers=bearer(tokens["reviewer"]))
    assert response.status_code == 200
    assert response.json() == {
        "user": "reviewer@example.com",
        "team": "Northwind",
        "role": "reviewer",
    }
    assert "Authorization" in response["Vary"]
    response = client.get("/t/whoami/", headers=bearer(tokens["outsider"]))
    assert response.json()["team"] == "Elsewhere"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer studio_00000000_nothing",
        "Token {token}",
    ],
)
def test_missing_or_invalid_token_is_401(client, tokens, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header.format(token=tokens["owner"])}
    response = client.get("/t/whoami/", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing or invalid token"}
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Type"] == "application/json"


def test_the_scheme_is_case_insensitive(client, tokens) -> None:
    response = client.get("/t/whoami/", headers={"Authorization": f"bearer  {tokens['owner']}"})
    assert response.status_code == 200


def test_a_revoked_token_is_401(client, personas) -> None:
    token, raw = issue(personas.owner, personas.team, "t")
    revoke(token)
    assert client.get("/t/whoami/", headers=bearer(raw)).status_code == 401


def test_a_session_is_not_a_token(client, personas) -> None:
    client.force_login(personas.owner)
    assert client.get("/t/whoami/").status_code == 401


def test_a_method_not_allowed_is_405_after_the_token(client, tokens) -> None:
    response = client.delete("/t/whoami/", headers=bearer(tokens["viewer"]))
    assert response.status_code == 405
    assert response.json() == {"detail": "Method not allowed"}
    assert response["Allow"] == "GET, POST"
    # Without a token, nothing about the URL is told.
    assert client.delete("/t/whoami/").status_code == 401


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 201), ("editor", 201), ("reviewer", 403), ("viewer", 403), ("outsider", 201)],
)
def test_the_role_decides_the_action(client, tokens, role: str, status: int) -> None:
    response = client.post(
        "/t/echo/", {"a": 1}, content_type="application/json", headers=bearer(tokens[role])
    )
    assert response.status_code == status
    if status == 403:
        label = role.capitalize()
        assert response.json() == {"detail": f"Your role ({label}) cannot do this."}
    else:
        assert response.json() == {"got": {"a": 1}}


def test_no_csrf_token_is_needed(personas, tokens) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/t/echo/", {"a": 1}, content_type="application/json", headers=bearer(tokens["editor"])
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body", [b"", b"{", b"not json", b"[1, 2]", b'"text"', b"null", b"3", b"\xff\xfe{", b"[" * 5000]
)
def test_a_body_that_is_not_a_json_object_is_400(client, tokens, body: bytes) -> None:
    response = client.post(
        "/t/echo/", body, content_type="application/json", headers=bearer(tokens["editor"])
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The body must be a JSON object"}


def test_json_body_reads_an_object(rf) -> None:
    request = rf.post("/", b'{"prompt": "dolly"}', content_type="application/json")
    assert json_body(request) == {"prompt": "dolly"}


def test_http404_inside_is_a_json_404(client, tokens) -> None:
    response = client.get("/t/missing/generation/", headers=bearer(tokens["viewer"]))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_api_error_inside_is_its_problem(client, tokens) -> None:
    response = client.get("/t/conflict/", headers=bearer(tokens["viewer"]))
    assert response.status_code == 409
    assert response.json() == {"detail": "Already done", "hint": "Try another"}


def test_the_pages_helpers_see_the_tokens_team_and_role(client, tokens) -> None:
    response = client.get("/t/manage/", headers=bearer(tokens["owner"]))
    assert response.json() == {"team": "Northwind"}
    response = client.get("/t/manage/", headers=bearer(tokens["outsider"]))
    assert response.json() == {"team": "Elsewhere"}
    response = client.get("/t/manage/", headers=bearer(tokens["editor"]))
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role (Editor) cannot do this."}


def test_a_bare_permission_denied_names_the_role(client, tokens) -> None:
    response = client.get("/t/refuses/", headers=bearer(tokens["viewer"]))
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role (Viewer) cannot do this."}


def test_an_unexpected_error_is_a_json_500(client, tokens, caplog) -> None:
    response = client.get("/t/breaks/", headers=bearer(tokens["viewer"]))
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert "boom" in caplog.text
