"""The deployment switches, read by a fresh process as a server would read them.

Settings are read once at start-up, so each case starts its own Python with the
environment it is about.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# Variables that would change what these cases are about if the developer had them set,
# and the test run's own (set by tests/conftest.py for browser tests; never in deployment).
OURS = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "DJANGO_DEBUG",
    "STUDIO_HTTPS",
    "STUDIO_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SECRET_KEY",
    "EMAIL_URL",
    "EMAIL_BACKEND",
)


def run(tmp_path: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in OURS}
    base |= {
        "DJANGO_SETTINGS_MODULE": "studio.settings",
        "STUDIO_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    return subprocess.run(
        [sys.executable, *argv],
        env=base | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def deploy_check(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A deployment names its mail server: the deploy check refuses the console backend.
    deployment = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_URL": "smtp://mail.example.com:587/?tls=True",
    }
    return run(
        tmp_path, deployment | env, "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )


def test_https_mode_is_what_makes_the_deploy_check_clean(tmp_path: Path) -> None:
    assert settings.SILENCED_SYSTEM_CHECKS == []
    result = deploy_check(tmp_path, {"STUDIO_HTTPS": "true"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    # Without it: no HSTS, no redirect, cookies sent over plain HTTP.
    result = deploy_check(tmp_path, {})
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def settings_of(tmp_path: Path, env: dict[str, str], *names: str) -> list[object]:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps([getattr(settings, n) for n in {list(names)!r}]))"
    )
    result = run(tmp_path, env, "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_django_debug_is_the_one_debug_switch(tmp_path: Path) -> None:
    assert settings_of(tmp_path, {}, "DEBUG") == [False]
    assert settings_of(tmp_path, {"DJANGO_DEBUG": "true"}, "DEBUG") == [True]
    # The old name no longer turns anything on.
    assert settings_of(tmp_path, {"DEBUG": "true"}, "DEBUG") == [False]


def test_the_retired_cookie_variable_is_refused_not_ignored(tmp_path: Path) -> None:
    result = run(tmp_path, {"SESSION_COOKIE_SECURE": "true"}, "manage.py", "check")
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE is replaced by STUDIO_HTTPS=true" in result.stderr


@pytest.mark.parametrize("header", ["X-Forwarded-Proto: https", "X_Forwarded_Proto", "Ä"])
def test_a_proxy_header_that_is_not_a_header_name_is_refused(tmp_path: Path, header: str) -> None:
    result = run(tmp_path, {"STUDIO_PROXY_SSL_HEADER": header}, "manage.py", "check")
    assert result.returncode != 0
    assert "STUDIO_PROXY_SSL_HEADER must be a header name" in result.stderr


@pytest.mark.parametrize("origin", ["media.example.com", "https://x.example.com; script-src *"])
def test_a_media_origin_that_is_not_an_origin_is_refused(tmp_path: Path, origin: str) -> None:
    result = run(tmp_path, {"STUDIO_MEDIA_ORIGINS": origin}, "manage.py", "check")
    assert result.returncode != 0
    assert "STUDIO_MEDIA_ORIGINS must list origins" in result.stderr


def test_media_origins_may_serve_images_and_video(tmp_path: Path) -> None:
    env = {"STUDIO_MEDIA_ORIGINS": "https://media.example.com, http://127.0.0.1:9000"}
    (policy,) = settings_of(tmp_path, env, "SECURE_CSP")
    for directive in ("img-src", "media-src"):
        assert policy[directive] == ["'self'", "https://media.example.com", "http://127.0.0.1:9000"]
    assert policy["script-src"] == ["'self'"]


# Behind a proxy that terminates TLS: what a browser and the studio's own processes get.
BEHIND_A_PROXY = """
import json, django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/accounts/signin/")
tls = client.get("/accounts/signin/", headers={"X-Forwarded-Proto": "https"})
engine = client.get("/v1/files")
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location")],
    "tls": [tls.status_code, tls.headers.get("Strict-Transport-Security"),
            tls.cookies["csrftoken"]["secure"]],
    "engine": [engine.status_code, engine.headers.get("Location")],
}))
"""


def test_https_mode_behind_a_proxy(tmp_path: Path) -> None:
    env = {"STUDIO_HTTPS": "true", "STUDIO_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    result = run(tmp_path, env, "-c", BEHIND_A_PROXY)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Plain HTTP is sent to HTTPS; over TLS the page is served with HSTS and secure cookies.
    assert seen["plain"] == [301, "https://testserver/accounts/signin/"]
    assert seen["tls"] == [200, "max-age=31536000; includeSubDomains; preload", True]
    # The local engine answers its plain-HTTP callers (the sender, the poller) itself.
    assert seen["engine"] == [401, None]
