from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A child interpreter with its own settings, so the test neither needs nor disturbs
# whatever Django configuration the rest of the suite runs under.
SCRIPT = textwrap.dedent(
    """
    import asyncio
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    settings.configure(
        LUMA_BASE_URL="http://127.0.0.1:8000/v1/",
        LUMA_AGENTS_API_KEY="luma-api-local",
        LUMA_TIMEOUT="12",
    )
    from studio.client import AsyncClient, Client, from_settings

    client = from_settings()
    assert isinstance(client, Client), type(client)
    assert client.base_url == "http://127.0.0.1:8000/v1"
    assert client._http.timeout.read == 12.0
    client.close()

    aclient = from_settings(async_=True)
    assert isinstance(aclient, AsyncClient), type(aclient)
    asyncio.run(aclient.close())

    settings.LUMA_AGENTS_API_KEY = ""
    try:
        from_settings()
    except ImproperlyConfigured as exc:
        print("refused:", exc)
    """
)


def test_from_settings_reads_the_three_settings() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused: LUMA_AGENTS_API_KEY is not set"


def test_the_client_imports_without_django_settings() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = "import studio.client, sys; print('django.conf' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
