"""The JSON API for a generation's comments: read them, and post notes from scripts.

A note posted here is the same comment a member writes on the page (one service,
`studio.review.services.add_comment`), with the same role rules: everyone in the team
reads, roles that may comment write.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, JsonResponse

from studio.api.http import ApiError, api_view, json_body, role_refusal
from studio.api.records import get_generation_in
from studio.contract.parsing import MAX_FRAME, parse_id, parse_int
from studio.generations.models import Generation
from studio.review import services
from studio.review.models import Comment
from studio.teams.models import Membership
from studio.timestamps import wire_time

FIELDS = ("frame", "end_frame", "body", "drawing", "parent")
PAGE_DEFAULT = 100
PAGE_MAX = 500


def comment_record(comment: Comment) -> dict[str, Any]:
    """The API's record of one comment (every key always present)."""
    author = comment.author
    return {
        "id": comment.pk,
        "generation": str(comment.generation_id),
        "parent": comment.parent_id,
        "frame": comment.frame,
        "end_frame": comment.end_frame,
        "body": comment.body,
        "drawing": comment.drawing,
        "author": comment.display_name,
        "author_email": author.email if author is not None and not comment.is_deleted else None,
        "guest": author is None,
        "resolved": comment.is_resolved,
        "deleted": comment.is_deleted,
        "created_at": wire_time(comment.created_at),
    }


def _whole(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    # The range check itself (0 to the clip's last frame) is the service's.
    number = parse_int(value, -MAX_FRAME, MAX_FRAME) if isinstance(value, int) else None
    if number is None:
        raise ApiError(400, f"{key}: must be a whole number")
    return number


def _post(request: HttpRequest, membership: Membership, generation: Generation) -> JsonResponse:
    if not membership.can("comment"):
        raise ApiError(403, role_refusal(membership))
    data = json_body(request, FIELDS)
    body = data.get("body")
    if not isinstance(body, str):
        raise ApiError(400, "body: must be text")
    parent = None
    if data.get("parent") is not None:
        parent = parse_id(data["parent"])
        if parent is None:
            raise ApiError(400, "parent: must be a comment id")
    try:
        created = services.add_comment(
            generation,
            body,
            frame=_whole(data, "frame"),
            end_frame=_whole(data, "end_frame"),
            drawing=data.get("drawing"),
            parent_id=parent,
            author=membership.user,
        )
    except services.ReviewError as exc:
        raise ApiError(400, str(exc)) from None
    created = Comment.objects.select_related("author").get(pk=created.pk)
    return JsonResponse(comment_record(created), status=201)


def _list(request: HttpRequest, generation: Generation) -> JsonResponse:
    """Oldest first, in keyset pages: `after` is the last id of the page before."""
    rows = Comment.objects.filter(generation=generation).select_related("author").order_by("id")
    after_text = request.GET.get("after")
    if after_text is not None:
        after = parse_id(after_text)
        if after is None:
            raise ApiError(400, "after: must be a comment id")
        rows = rows.filter(id__gt=after)
    limit = parse_int(request.GET.get("limit", str(PAGE_DEFAULT)), 1, PAGE_MAX)
    if limit is None:
        raise ApiError(400, f"limit: must be between 1 and {PAGE_MAX}")
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return JsonResponse(
        {
            "comments": [comment_record(c) for c in page],
            "next_after": page[-1].pk if more else None,
        }
    )


@api_view(["GET", "POST"])
def comments(
    request: HttpRequest, membership: Membership, generation_id: uuid.UUID
) -> JsonResponse:
    """GET: the generation's comments and replies. POST: a new comment, range or reply."""
    generation = get_generation_in(membership, generation_id)
    if request.method == "POST":
        return _post(request, membership, generation)
    return _list(request, generation)
