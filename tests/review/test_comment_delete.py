"""Deleting comments: authors their own, owners any; threads keep their place; the count follows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from studio.generations.models import Generation
from studio.review import services
from studio.review.models import Comment, Mention
from studio.review.share import create_share, token_for
from tests.factories import add_media, make_generation
from tests.review.test_comments import marks_of

DELETE_FORM = re.compile(rb'action="/g/[0-9a-f-]+/comments/(\d+)/delete/"')


@pytest.fixture
def take(personas) -> Generation:
    generation = make_generation(personas.team, personas.editor, prompt="Lighthouse at night")
    add_media(generation, frames=48)
    return generation


def delete_url(take: Generation, comment: Comment) -> str:
    return reverse("review:delete_comment", args=[take.id, comment.pk])


def count_of(take: Generation) -> int:
    return Generation.objects.get(pk=take.pk).comment_count


def live(take: Generation) -> int:
    return Comment.objects.filter(generation=take, deleted_at__isnull=True).count()


def test_an_author_deletes_a_leaf_and_it_is_gone(client, personas, take) -> None:
    mine = services.add_comment(take, "Too dark @editor", frame=4, author=personas.reviewer)
    services.add_comment(take, "Keep this", frame=8, author=personas.editor)
    assert Mention.objects.filter(comment=mine).count() == 1
    client.force_login(personas.reviewer)
    response = client.post(delete_url(take, mine))
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=mine.pk).exists()
    assert not Mention.objects.filter(comment_id=mine.pk).exists()
    assert count_of(take) == live(take) == 1
    page = client.get(reverse("review:generation", args=[take.id])).content.decode()
    assert "Too dark" not in page
    assert [m["frame"] for m in marks_of(page)] == [8]


def test_a_comment_with_replies_becomes_deleted_and_keeps_its_thread(
    client, personas, take
) -> None:
    head = services.add_comment(take, "Flicker @editor", frame=12, author=personas.reviewer)
    reply = services.add_comment(
        take, "Fixed in the next take", frame=None, author=personas.editor, parent_id=head.pk
    )
    client.force_login(personas.reviewer)
    client.post(delete_url(take, head))
    head.refresh_from_db()
    assert head.is_deleted and head.body == "" and head.deleted_by == personas.reviewer
    assert not Mention.objects.filter(comment=head).exists()
    assert Comment.objects.filter(pk=reply.pk, parent=head).exists()
    assert count_of(take) == live(take) == 1
    page = client.get(reverse("review:generation", args=[take.id])).content.decode()
    assert "Flicker" not in page and "[deleted]" in page
    assert "Fixed in the next take" in page
    # The thread keeps its mark on the timeline, without the text.
    assert marks_of(page) == [
        {
            "id": head.pk,
            "frame": 12,
            "end_frame": None,
            "resolved": False,
            "text": "[deleted]",
            "drawings": [],
        }
    ]
    # Deleted once is deleted: a second try is a 404 and the count does not move again.
    assert client.post(delete_url(take, head)).status_code == 404
    assert count_of(take) == 1
    # A reply still joins the thread, and the count follows it.
    client.force_login(personas.editor)
    client.post(
        reverse("review:comment", args=[take.id]), {"body": "Still there?", "parent": head.pk}
    )
    assert count_of(take) == live(take) == 2


def test_the_last_reply_under_a_deleted_head_takes_the_head_with_it(client, personas, take) -> None:
    head = services.add_comment(take, "Question", frame=3, author=personas.reviewer)
    first = services.add_comment(take, "One", frame=None, author=personas.editor, parent_id=head.pk)
    second = services.add_comment(
        take, "Two", frame=None, author=personas.editor, parent_id=head.pk
    )
    client.force_login(personas.reviewer)
    client.post(delete_url(take, head))
    client.force_login(personas.editor)
    client.post(delete_url(take, first))
    assert Comment.objects.filter(pk=head.pk).exists()  # "Two" still hangs under it
    client.post(delete_url(take, second))
    assert not Comment.objects.filter(generation=take).exists()
    assert count_of(take) == live(take) == 0


def test_deleting_a_reply_leaves_a_live_head_alone(client, personas, take) -> None:
    head = services.add_comment(take, "Question", frame=3, author=personas.reviewer)
    reply = services.add_comment(
        take, "Answer", frame=None, author=personas.editor, parent_id=head.pk
    )
    client.force_login(personas.editor)
    client.post(delete_url(take, reply))
    head.refresh_from_db()
    assert not head.is_deleted and head.body == "Question"
    assert count_of(take) == live(take) == 1


def test_an_owner_deletes_anyones_comment_even_a_guests(client, personas, take) -> None:
    share = create_share(personas.team, [take.id], by=personas.owner, days=7)
    guest = services.add_comment(
        take, "From the client", frame=1, guest_name="Ada", share_link=share
    )
    theirs = services.add_comment(take, "Editor's", frame=2, author=personas.editor)
    client.force_login(personas.owner)
    for comment in (guest, theirs):
        assert client.post(delete_url(take, comment)).status_code == 302
    assert count_of(take) == live(take) == 0


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_others_cannot_delete_someone_elses_comment(client, personas, take, role: str) -> None:
    theirs = services.add_comment(take, "Reviewer's note", frame=2, author=personas.reviewer)
    client.force_login(getattr(personas, role))
    assert client.post(delete_url(take, theirs)).status_code == 403
    theirs.refresh_from_db()
    assert not theirs.is_deleted and theirs.body == "Reviewer's note"
    assert count_of(take) == 1


def test_the_delete_button_shows_only_where_it_works(client, personas, take) -> None:
    own = services.add_comment(take, "Reviewer's", frame=2, author=personas.reviewer)
    other = services.add_comment(take, "Editor's", frame=3, author=personas.editor)
    url = reverse("review:generation", args=[take.id])
    client.force_login(personas.reviewer)
    assert DELETE_FORM.findall(client.get(url).content) == [str(own.pk).encode()]
    client.force_login(personas.owner)
    assert sorted(DELETE_FORM.findall(client.get(url).content)) == sorted(
        [str(own.pk).encode(), str(other.pk).encode()]
    )
    client.force_login(personas.viewer)
    assert DELETE_FORM.findall(client.get(url).content) == []


def test_guests_cannot_delete(client, personas, take) -> None:
    share = create_share(personas.team, [take.id], by=personas.owner, days=7)
    token = token_for(share)
    client.post(
        reverse("review:shared_comment", args=[token, take.id]),
        {"name": "Ada", "body": "Mine, as a guest", "frame": "2"},
    )
    mine = Comment.objects.get(generation=take)
    # The share page offers no Delete, even on the guest's own comment…
    page = client.get(reverse("review:shared_item", args=[token, take.id]))
    assert b"Mine, as a guest" in page.content
    assert DELETE_FORM.findall(page.content) == []
    # …and the members' URL wants a signed-in member.
    response = client.post(delete_url(take, mine))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert Comment.objects.filter(pk=mine.pk, deleted_at__isnull=True).exists()
    assert count_of(take) == 1
    # A team member watching through the same link gets no Delete there either.
    client.force_login(personas.owner)
    page = client.get(reverse("review:shared_item", args=[token, take.id]))
    assert DELETE_FORM.findall(page.content) == []


def test_a_comment_of_another_generation_is_a_404(client, personas, take) -> None:
    other = make_generation(personas.team, personas.editor, prompt="Other")
    elsewhere = services.add_comment(other, "Elsewhere", frame=None, author=personas.editor)
    client.force_login(personas.editor)
    assert client.post(delete_url(take, elsewhere)).status_code == 404
    assert client.get(delete_url(take, elsewhere)).status_code == 405
    assert count_of(other) == 1


def test_a_count_out_of_step_never_goes_below_zero(client, personas, take) -> None:
    mine = services.add_comment(take, "Mine", frame=1, author=personas.editor)
    Generation.objects.filter(pk=take.pk).update(comment_count=0)
    client.force_login(personas.editor)
    assert client.post(delete_url(take, mine)).status_code == 302
    assert not Comment.objects.filter(pk=mine.pk).exists()
    assert count_of(take) == 0


@pytest.mark.browser
def test_delete_asks_first_in_the_browser(page, live_server, personas, take) -> None:
    from tests.conftest import sign_in

    mine = services.add_comment(take, "Second thoughts", frame=6, author=personas.reviewer)
    sign_in(page, live_server.url, personas.reviewer)
    page.goto(live_server.url + reverse("review:generation", args=[take.id]))
    button = page.locator(f"#comment-{mine.pk} form.delete-comment button")
    # Record whether the page's handler stopped the post (this listener runs after it).
    page.evaluate(
        "window.addEventListener('submit', (e) => {"
        " window.stopped = e.defaultPrevented; e.preventDefault(); }, {once: true})"
    )
    page.once("dialog", lambda dialog: dialog.dismiss())
    button.click()
    assert page.evaluate("window.stopped") is True
    assert Comment.objects.filter(pk=mine.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        button.click()
    assert not Comment.objects.filter(pk=mine.pk).exists()
    assert "Comment deleted." in page.content()
    assert "Second thoughts" not in page.content()
