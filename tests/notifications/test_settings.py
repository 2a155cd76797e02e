"""Where email goes: EMAIL_URL, or the usual EMAIL_* variables, read by a fresh process."""

from __future__ import annotations

import json
from pathlib import Path

from tests.security.test_settings import run

READ = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.MAILERS['default']))"
)
MAIL_VARS = ("EMAIL_URL", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS")


def mailer(tmp_path: Path, **env: str) -> dict:
    done = run(tmp_path, dict.fromkeys(MAIL_VARS, "") | env, "-c", READ)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_console_by_default(tmp_path: Path) -> None:
    assert mailer(tmp_path) == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_an_email_url(tmp_path: Path) -> None:
    found = mailer(tmp_path, EMAIL_URL="smtp://robot:s3cret@mail.example.com:2525/?tls=True")
    assert found["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert found["OPTIONS"] | {"timeout": None} == {
        "host": "mail.example.com",
        "port": 2525,
        "username": "robot",
        "password": "s3cret",
        "use_tls": True,
        "use_ssl": False,
        "timeout": None,
    }
    assert found["OPTIONS"]["timeout"] > 0


def test_the_usual_variables(tmp_path: Path) -> None:
    found = mailer(
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="relay.internal",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="true",
    )
    options = found["OPTIONS"]
    assert (options["host"], options["port"], options["use_tls"]) == ("relay.internal", 587, True)


def test_a_url_it_cannot_read_stops_the_process(tmp_path: Path) -> None:
    done = run(tmp_path, {"EMAIL_URL": "pigeon://loft"}, "-c", READ)
    assert done.returncode != 0
    assert "EMAIL_URL must be like smtp://" in done.stderr
