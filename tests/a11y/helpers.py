"""Open each page of tests/security/pages.py in Chromium, as the person its entry names.

Each entry opens its page through Django's test client (some pages are the answer to a
POST); the browser then loads that very answer at the page's own address, with the same
session, so its styles, scripts and media come from the live server as they would for
a real visitor.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse
from django.test import Client

from tests.review.conftest import World
from tests.security.pages import PAGES, Page

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1440, "height": 900}


def _address(response: HttpResponse) -> str:
    query = response.request.get("QUERY_STRING", "")
    path = response.request["PATH_INFO"]
    return f"{path}?{query}" if query else path


def show(page: Any, base_url: str, client: Client, response: HttpResponse) -> None:
    """Load `response` in the browser at its own address, signed in as `client` is."""
    url = base_url + _address(response)
    page.context.clear_cookies()
    cookies = [
        {"name": name, "value": morsel.value, "url": base_url}
        for name, morsel in client.cookies.items()
    ]
    if cookies:
        page.context.add_cookies(cookies)
    headers = {k: v for k, v in response.items() if k.lower() != "content-length"}
    body = response.content

    def answer(route: Any) -> None:
        route.fulfill(status=response.status_code, headers=headers, body=body)

    page.route(url, answer, times=1)
    page.goto(url)
    page.wait_for_load_state("networkidle")


def each_page(page: Any, base_url: str, world: World) -> Iterator[Page]:
    """Show every page in turn (in the list's order: later entries rely on earlier ones)."""
    for entry in PAGES:
        client = Client()
        response = entry.open(client, world)
        assert response.status_code == entry.status, entry.name
        show(page, base_url, client, response)
        yield entry
