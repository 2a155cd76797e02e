"""Share links: signed, expiring, revocable; a guest watches and leaves frame-pinned comments."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from studio.generations.models import Generation
from studio.review.models import Comment, ShareLink
from studio.review.share import token_for
from tests.factories import add_media, make_generation


def make_share(client, personas, *takes: Generation, days: int = 7) -> ShareLink:
    client.force_login(personas.editor)
    response = client.post(
        reverse("review:shares"), {"g": [str(t.id) for t in takes], "days": days}
    )
    assert response.status_code == 302
    client.logout()
    return ShareLink.objects.latest("id")


def test_a_guest_watches_and_comments_on_a_frame(client, personas) -> None:
    take = make_generation(personas.team, personas.editor, prompt="Client cut")
    outputs = add_media(take, frames=24)
    share = make_share(client, personas, take)
    token = token_for(share)
    # One generation: the link opens its page.
    response = client.get(reverse("review:shared", args=[token]))
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Client cut" in html
    file_url = reverse("review:shared_file", args=[token, outputs["video"].pk])
    assert file_url in html
    assert b"".join(client.get(file_url).streaming_content)[4:8] == b"ftyp"
    response = client.post(
        reverse("review:shared_comment", args=[token, take.id]),
        {"name": "Casey Client", "body": "Love frame 12", "frame": "12"},
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author, comment.guest_name, comment.frame, comment.share_link) == (
        None,
        "Casey Client",
        12,
        share,
    )
    take.refresh_from_db()
    assert take.comment_count == 1
    # The team sees it on the generation's page, marked as a guest's.
    client.force_login(personas.viewer)
    assert (
        "Casey Client (guest)"
        in client.get(reverse("review:generation", args=[take.id])).content.decode()
    )


def test_a_guest_must_give_a_name(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    token = token_for(make_share(client, personas, take))
    response = client.post(
        reverse("review:shared_comment", args=[token, take.id]),
        {"body": "hi", "frame": "1"},
        follow=True,
    )
    assert "Give your name" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_selection_lists_its_takes_and_nothing_else(client, personas) -> None:
    a = make_generation(personas.team, personas.editor, prompt="Take A")
    b = make_generation(personas.team, personas.editor, prompt="Take B")
    hidden = make_generation(personas.team, personas.editor, prompt="Not shared")
    hidden_media = add_media(hidden, frames=2)
    token = token_for(make_share(client, personas, a, b))
    html = client.get(reverse("review:shared", args=[token])).content.decode()
    assert "Take A" in html and "Take B" in html and "Not shared" not in html
    assert client.get(reverse("review:shared_item", args=[token, hidden.id])).status_code == 404
    assert (
        client.get(
            reverse("review:shared_file", args=[token, hidden_media["video"].pk])
        ).status_code
        == 404
    )
    response = client.post(
        reverse("review:shared_comment", args=[token, hidden.id]), {"name": "X", "body": "y"}
    )
    assert response.status_code == 404 and not Comment.objects.exists()


def test_originals_and_exr_are_not_served_through_a_share(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    add_media(take, frames=2)
    exr = take.outputs.create(kind="exr", file=f"outputs/test/{take.id}/frames.zip")
    token = token_for(make_share(client, personas, take))
    assert client.get(reverse("review:shared_file", args=[token, exr.pk])).status_code == 404


def test_revoked_and_expired_links_say_so_with_410(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    share = make_share(client, personas, take)
    token = token_for(share)
    client.force_login(personas.owner)
    client.post(reverse("review:share_revoke", args=[share.pk]))
    client.logout()
    for url in (
        reverse("review:shared", args=[token]),
        reverse("review:shared_item", args=[token, take.id]),
    ):
        response = client.get(url)
        assert response.status_code == 410
        assert "revoked" in response.content.decode()
    response = client.post(
        reverse("review:shared_comment", args=[token, take.id]), {"name": "X", "body": "late"}
    )
    assert response.status_code == 410 and not Comment.objects.exists()

    other = make_share(client, personas, take)
    ShareLink.objects.filter(pk=other.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("review:shared", args=[token_for(other)]))
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_a_forged_token_is_a_404(client, personas) -> None:
    take = make_generation(personas.team, personas.editor)
    token = token_for(make_share(client, personas, take))
    key, signature = token.split(":")
    forged = f"{key[:-1]}{'0' if key[-1] != '0' else '1'}:{signature}"
    assert client.get(reverse("review:shared", args=[forged])).status_code == 404
    assert client.get(reverse("review:shared", args=["garbage"])).status_code == 404


def test_share_creation_refuses_bad_input(client, personas) -> None:
    mine = make_generation(personas.team, personas.editor)
    foreign = make_generation(personas.other_team, personas.outsider)
    client.force_login(personas.editor)
    for data, message in (
        ({"g": []}, "Choose at least one generation"),
        ({"g": [str(mine.id)], "days": "365"}, "between 1 and 90 days"),
        ({"g": [str(mine.id)], "days": "soon"}, "between 1 and 90 days"),
        ({"g": [str(mine.id), str(foreign.id)]}, "not in this team"),
    ):
        response = client.post(reverse("review:shares"), data, follow=True)
        assert message in response.content.decode()
    assert not ShareLink.objects.exists()
