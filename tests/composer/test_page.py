"""The composer page as served: what a person sees after a refused form or a prefill link."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from studio.contract.rules import RULES_BY_NAME
from studio.generations.models import Generation
from tests.composer.test_submit import form
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client: Client, personas: Personas) -> Client:
    client.force_login(personas.editor)
    return client


def test_refused_form_lists_every_problem_at_the_top_linked_to_its_field(editor: Client) -> None:
    response = editor.post(
        reverse("composer:compose"),
        form(prompt="", resolution="360p", hdr="on", loop="on"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<section class="error-summary.*?</section>', html, re.S)
    assert summary, "no error summary"
    links = re.findall(r'<a href="#(err-[a-z_]+)">([^<]+)</a>', summary.group(0))
    fields = {anchor.removeprefix("err-") for anchor, _ in links}
    assert {"prompt", "hdr", "loop"} <= fields
    hdr_low = RULES_BY_NAME["hdr_low_resolution"].message.replace("'", "&#x27;")
    assert any(hdr_low in text for _, text in links)
    # Every link lands on the element that holds that field's messages.
    for anchor, _ in links:
        assert f'id="{anchor}"' in html
    assert "things to fix" in summary.group(0)


def test_fresh_page_has_no_error_summary(editor: Client) -> None:
    assert b"error-summary" not in editor.get(reverse("composer:compose")).content


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("extend_forward", "Extend forward of"),
        ("extend_backward", "Extend backward of"),
        ("promote", "Draft → final of"),
    ],
)
def test_prefill_names_the_action_in_words(
    editor: Client, personas: Personas, action: str, label: str
) -> None:
    clip = Generation.objects.create(
        team=personas.team,
        author=personas.editor,
        prompt="a lighthouse at dusk",
        state=Generation.State.COMPLETED,
        remote_id=uuid.uuid4(),
        duration_s=5.0,
        resolution="360p",
    )
    html = editor.get(
        reverse("composer:compose"), {"action": action, "source": clip.id}
    ).content.decode()
    assert label in html
    assert action not in re.sub(r'value="[^"]*"|href="[^"]*"', "", html.split('id="composer"')[0])
