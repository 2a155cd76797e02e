"""The OpenAPI 3.1 document of the studio's JSON API, written by hand.

Served at ``GET /api/v1/openapi.json`` (no token needed) so a pipeline can generate a
client. The Ray 3.2 request body itself is described by the wire contract
(``shared/spec/contract.md``); here it is an open object.
"""

from __future__ import annotations

from typing import Any

from studio.composer.takes import MAX_TAKES
from studio.contract.models import ASPECT_RATIOS, MODEL, PROMPT_MAX, TYPES, USER_ID_MAX
from studio.generations.models import GenerationState, Output
from studio.review.drawing import Drawing

VERSION = "1.0.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return {"$ref": f"#/components/responses/{description}"}


ID = {"type": "string", "format": "uuid"}
NULLABLE_ID = {"type": ["string", "null"], "format": "uuid"}
TIME = {"type": ["string", "null"], "format": "date-time"}
GENERATION_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "The studio's id of the generation.",
    "schema": ID,
}
PREVIEW_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "The preview's id.",
    "schema": ID,
}

SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "Every error: one human-readable sentence (the contract's exact "
        "strings where the contract has them).",
        "required": ["detail"],
        "properties": {"detail": {"type": "string"}},
    },
    "TakeProblem": {
        "type": "object",
        "description": "A take the contract refuses: its status and detail, and which take.",
        "required": ["detail"],
        "properties": {
            "detail": {"type": "string"},
            "take": {"type": "integer", "minimum": 0, "description": "0-based take index."},
        },
    },
    "RayRequest": {
        "type": "object",
        "description": "A Ray 3.2 request body (model, type, prompt, aspect_ratio, source, "
        "user_id, video), sent to the generation API as given. ImageRefs may use url, data, "
        "file_id (a Files API id) or generation_id. Without user_id, the member's own "
        "opaque id is set.",
        "required": ["model", "type"],
        "properties": {
            "model": {"const": MODEL},
            "type": {"enum": list(TYPES)},
            "prompt": {"type": "string", "minLength": 1, "maxLength": PROMPT_MAX},
            "aspect_ratio": {"enum": list(ASPECT_RATIOS)},
            "source": {"type": "object"},
            "user_id": {"type": "string", "maxLength": USER_ID_MAX},
            "video": {"type": "object"},
        },
        "additionalProperties": True,
    },
    "ComposeRequest": {
        "type": "object",
        "required": ["request"],
        "additionalProperties": False,
        "properties": {
            "request": _ref("RayRequest"),
            "takes": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_TAKES,
                "default": 1,
                "description": "How many generations of this request, recorded as one batch.",
            },
            "prompts": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "maxItems": MAX_TAKES,
                "description": "One take per prompt (replaces the request's prompt); "
                "not combined with takes.",
            },
            "parent": {
                **ID,
                "description": "A generation of the same team this one derives from.",
            },
        },
    },
    "Output": {
        "type": "object",
        "required": ["type", "url", "bytes", "sha256"],
        "properties": {
            "type": {"enum": [kind.value for kind in Output.Kind]},
            "url": {
                "type": "string",
                "format": "uri",
                "description": "The studio's own link; fetch it with the same token.",
            },
            "bytes": {"type": "integer"},
            "sha256": {"type": ["string", "null"]},
        },
    },
    "Generation": {
        "type": "object",
        "description": "The studio's record of a generation. An output is listed once the "
        "studio has stored it.",
        "required": [
            "id",
            "remote_id",
            "state",
            "waiting_reason",
            "batch",
            "take_index",
            "parent",
            "action",
            "request",
            "price",
            "price_estimated",
            "created_at",
            "submitted_at",
            "finished_at",
            "failure_code",
            "failure_reason",
            "trashed_at",
            "purged_at",
            "outputs",
        ],
        "properties": {
            "id": ID,
            "remote_id": {**NULLABLE_ID, "description": "The generation API's id, once sent."},
            "state": {"enum": GenerationState.values},
            "waiting_reason": {
                "type": ["string", "null"],
                "description": "Why a generation not yet sent still waits.",
            },
            "batch": NULLABLE_ID,
            "take_index": {"type": ["integer", "null"]},
            "parent": NULLABLE_ID,
            "action": {"type": "string"},
            "request": {"type": "object"},
            "price": {"type": "string", "pattern": r"^\d+\.\d\d$", "examples": ["0.30"]},
            "price_estimated": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "submitted_at": TIME,
            "finished_at": TIME,
            "failure_code": {"type": ["string", "null"]},
            "failure_reason": {"type": ["string", "null"]},
            "trashed_at": {**TIME, "description": "When it was moved to the trash."},
            "purged_at": {
                **TIME,
                "description": "When its files were deleted for good (outputs is then empty).",
            },
            "outputs": {"type": "array", "items": _ref("Output")},
        },
    },
    "GenerationList": {
        "type": "object",
        "required": ["generations", "next_cursor"],
        "properties": {
            "generations": {"type": "array", "items": _ref("Generation")},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as cursor for the next page; null on the last page.",
            },
        },
    },
    "Batch": {
        "type": "object",
        "required": ["generations"],
        "properties": {"generations": {"type": "array", "items": _ref("Generation")}},
    },
    "PreviewRequest": {
        "type": "object",
        "required": ["request"],
        "additionalProperties": False,
        "properties": {"request": _ref("RayRequest")},
    },
    "Preview": {
        "type": "object",
        "description": "A free draft by the local engine at 360p: never sent to the "
        "generation API, not a generation, its owner's alone, kept for a day. A person's "
        "previews render one at a time; a new one replaces the one still queued.",
        "required": ["id", "state", "label", "created_at", "expires_at"],
        "properties": {
            "id": ID,
            "state": {"enum": ["queued", "rendering", "ready", "failed"]},
            "label": {"const": "local preview"},
            "created_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": "string", "format": "date-time"},
            "url": {
                "type": "string",
                "format": "uri",
                "description": "Once ready: the MP4, fetched with the same token.",
            },
            "failure_reason": {"type": "string", "description": "Once failed: why."},
        },
    },
    "ImportRequest": {
        "type": "object",
        "required": ["remote_id"],
        "additionalProperties": False,
        "properties": {"remote_id": {**ID, "description": "The generation API's id."}},
    },
}


def _drawing_schemas() -> dict[str, Any]:
    """The drawing's schema, from the one model that checks drawings (its shape hoisted)."""
    schema = Drawing.model_json_schema(ref_template="#/components/schemas/{model}")
    hoisted = schema.pop("$defs", {})
    schema["description"] = (
        "Vector shapes drawn on the frame; every point is [x, y] across the frame's width "
        "and height, 0 to 1 from the top left. freehand takes 2 or more points; arrow (from, "
        "to), rect and ellipse (two opposite corners) take 2; text takes 1 and its text."
    )
    return {**hoisted, "Drawing": schema}


FRAME = {"type": ["integer", "null"], "minimum": 0}
SCHEMAS.update(
    {
        **_drawing_schemas(),
        "Comment": {
            "type": "object",
            "description": "A comment, a reply (parent set) or a range (end_frame set).",
            "required": [
                "id",
                "generation",
                "parent",
                "frame",
                "end_frame",
                "body",
                "drawing",
                "author",
                "author_email",
                "guest",
                "resolved",
                "deleted",
                "created_at",
            ],
            "properties": {
                "id": {"type": "integer"},
                "generation": ID,
                "parent": {"type": ["integer", "null"]},
                "frame": {**FRAME, "description": "0-based frame it is pinned to."},
                "end_frame": {**FRAME, "description": "A range's last frame (included)."},
                "body": {"type": "string"},
                "drawing": {"anyOf": [_ref("Drawing"), {"type": "null"}]},
                "author": {"type": "string", "description": "A member's name, or a guest's."},
                "author_email": {"type": ["string", "null"]},
                "guest": {"type": "boolean", "description": "Written through a share link."},
                "resolved": {"type": "boolean"},
                "deleted": {"type": "boolean"},
                "created_at": {"type": "string", "format": "date-time"},
            },
        },
        "CommentList": {
            "type": "object",
            "required": ["comments", "next_after"],
            "properties": {
                "comments": {"type": "array", "items": _ref("Comment")},
                "next_after": {
                    "type": ["integer", "null"],
                    "description": "Pass as after for the next page; null on the last page.",
                },
            },
        },
        "NewComment": {
            "type": "object",
            "required": ["body"],
            "additionalProperties": False,
            "properties": {
                "body": {"type": "string", "minLength": 1, "maxLength": 4000},
                "frame": {**FRAME, "description": "Within the clip: 0 to its last frame."},
                "end_frame": {
                    **FRAME,
                    "description": "Makes a range frame…end_frame; after frame, within the clip.",
                },
                "drawing": {
                    "anyOf": [_ref("Drawing"), {"type": "null"}],
                    "description": "Needs a frame.",
                },
                "parent": {
                    "type": ["integer", "null"],
                    "description": "Reply to this comment (the reply takes its frame and range).",
                },
            },
        },
    }
)

RESPONSES: dict[str, Any] = {
    name: _json(_ref("Problem"), text)
    for name, text in {
        "BadRequest": "A malformed body or parameter.",
        "Unauthorized": "Missing or invalid token.",
        "Forbidden": "The token's role may not do this.",
        "NotFound": "No such generation in the token's team.",
        "MethodNotAllowed": "Method not allowed.",
    }.items()
}

COMMON = {
    "401": _error("Unauthorized"),
    "405": _error("MethodNotAllowed"),
}

PATHS: dict[str, Any] = {
    "/api/v1/generations": {
        "get": {
            "operationId": "listGenerations",
            "summary": "The team's generations, newest first, in keyset pages.",
            "parameters": [
                {
                    "name": "state",
                    "in": "query",
                    "schema": {"enum": GenerationState.values},
                },
                {"name": "batch", "in": "query", "schema": ID},
                {
                    "name": "trashed",
                    "in": "query",
                    "description": "true: only the trashed (and purged) generations.",
                    "schema": {"type": "boolean", "default": False},
                },
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
                },
            ],
            "responses": {
                "200": _json(_ref("GenerationList"), "A page."),
                "400": _error("BadRequest"),
                **COMMON,
            },
        },
        "post": {
            "operationId": "composeGenerations",
            "summary": f"Record 1–{MAX_TAKES} takes of a Ray 3.2 request; the studio sends them.",
            "description": "Every take is judged by the contract first: the first refused "
            "take refuses them all, with the contract's status and detail and its index. "
            "Nothing is recorded on any refusal. Needs a role that may compose.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("ComposeRequest")}},
            },
            "responses": {
                "201": _json(_ref("Batch"), "The recorded takes, waiting to be sent."),
                "400": _json(_ref("TakeProblem"), "A malformed body, or a refused take."),
                "402": _json(_ref("Problem"), "Over the team's or the member's budget."),
                "409": _json(_ref("Problem"), "The team is over its storage quota."),
                "403": _error("Forbidden"),
                "404": _json(_ref("Problem"), "parent: no such generation"),
                "413": _json(_ref("TakeProblem"), "Media too large."),
                "422": _json(_ref("TakeProblem"), "A parameter combination refused."),
                "503": _json(_ref("Problem"), "No generation API is configured."),
                **COMMON,
            },
        },
    },
    "/api/v1/generations/{id}": {
        "get": {
            "operationId": "getGeneration",
            "parameters": [GENERATION_ID],
            "responses": {
                "200": _json(_ref("Generation"), "The record."),
                "404": _error("NotFound"),
                **COMMON,
            },
        }
    },
    "/api/v1/generations/{id}/outputs/{type}": {
        "get": {
            "operationId": "getGenerationOutput",
            "summary": "The bytes of a stored output (one byte range honoured).",
            "parameters": [
                GENERATION_ID,
                {
                    "name": "type",
                    "in": "path",
                    "required": True,
                    "schema": {"enum": [kind.value for kind in Output.Kind]},
                },
                {"name": "Range", "in": "header", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "The file.",
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                },
                "206": {"description": "The range asked for."},
                "404": _error("NotFound"),
                "410": _json(_ref("Problem"), "The generation was purged."),
                "416": {"description": "A range outside the file."},
                **COMMON,
            },
        }
    },
    "/api/v1/generations/{id}/cancel": {
        "post": {
            "operationId": "cancelGeneration",
            "summary": "Cancel a generation not yet sent (its author, or an owner).",
            "parameters": [GENERATION_ID],
            "responses": {
                "200": _json(_ref("Generation"), "Cancelled."),
                "403": _error("Forbidden"),
                "404": _error("NotFound"),
                "409": _json(_ref("Problem"), "It is no longer waiting."),
                **COMMON,
            },
        }
    },
    "/api/v1/generations/{id}/trash": {
        "post": {
            "operationId": "trashGeneration",
            "summary": "Move a finished generation to the trash (its author, or an owner).",
            "parameters": [GENERATION_ID],
            "responses": {
                "200": _json(_ref("Generation"), "In the trash."),
                "403": _error("Forbidden"),
                "404": _error("NotFound"),
                "409": _json(_ref("Problem"), "Not finished, or already in the trash."),
                **COMMON,
            },
        }
    },
    "/api/v1/generations/{id}/restore": {
        "post": {
            "operationId": "restoreGeneration",
            "summary": "Take a generation back out of the trash, until it is purged.",
            "parameters": [GENERATION_ID],
            "responses": {
                "200": _json(_ref("Generation"), "Restored."),
                "403": _error("Forbidden"),
                "404": _error("NotFound"),
                "409": _json(_ref("Problem"), "Not in the trash, or purged already."),
                **COMMON,
            },
        }
    },
    "/api/v1/generations/{id}/comments": {
        "get": {
            "operationId": "listComments",
            "summary": "The generation's comments and replies, oldest first, in keyset pages.",
            "parameters": [
                GENERATION_ID,
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
                },
            ],
            "responses": {
                "200": _json(_ref("CommentList"), "A page."),
                "400": _error("BadRequest"),
                "404": _error("NotFound"),
                **COMMON,
            },
        },
        "post": {
            "operationId": "addComment",
            "summary": "Comment on a frame or a range, with an optional drawing, or reply.",
            "description": "The same comment a member writes on the page; needs a role that "
            "may comment. A frame outside the clip, a range that does not end after its "
            "frame or a drawing outside the schema is a 400 naming the field.",
            "parameters": [GENERATION_ID],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("NewComment")}},
            },
            "responses": {
                "201": _json(_ref("Comment"), "The comment."),
                "400": _error("BadRequest"),
                "403": _error("Forbidden"),
                "404": _error("NotFound"),
                **COMMON,
            },
        },
    },
    "/api/v1/previews": {
        "post": {
            "operationId": "startPreview",
            "summary": "Render a request with the local engine at draft size, free.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("PreviewRequest")}},
            },
            "responses": {
                "202": _json(_ref("Preview"), "Queued: follow it at /api/v1/previews/{id}."),
                "400": _error("BadRequest"),
                "403": _error("Forbidden"),
                "413": _json(_ref("Problem"), "An image is too large."),
                "422": _json(
                    _ref("Problem"),
                    "The contract refuses it, or an input cannot be found or fetched.",
                ),
                "503": _json(_ref("Problem"), "The local engine is switched off."),
                **COMMON,
            },
        }
    },
    "/api/v1/previews/{id}": {
        "get": {
            "operationId": "getPreview",
            "parameters": [PREVIEW_ID],
            "responses": {
                "200": _json(_ref("Preview"), "The preview."),
                "404": _error("NotFound"),
                **COMMON,
            },
        }
    },
    "/api/v1/previews/{id}/video": {
        "get": {
            "operationId": "getPreviewVideo",
            "summary": "The preview's MP4 once ready (one byte range honoured).",
            "parameters": [
                PREVIEW_ID,
                {"name": "Range", "in": "header", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "The MP4.",
                    "content": {"video/mp4": {"schema": {"type": "string", "format": "binary"}}},
                },
                "206": {"description": "The range asked for."},
                "404": _error("NotFound"),
                **COMMON,
            },
        }
    },
    "/api/v1/imports": {
        "post": {
            "operationId": "importGeneration",
            "summary": "Record a generation made elsewhere with the team's API key.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("ImportRequest")}},
            },
            "responses": {
                "200": _json(_ref("Generation"), "Already in the studio: the same record."),
                "201": _json(_ref("Generation"), "Imported; the studio fetches its outputs."),
                "400": _error("BadRequest"),
                "403": _error("Forbidden"),
                "404": _json(_ref("Problem"), "The generation API does not know it."),
                "502": _json(_ref("Problem"), "The generation API could not be asked."),
                "503": _json(_ref("Problem"), "No generation API is configured."),
                **COMMON,
            },
        }
    },
}


def document(server: str = "/") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Studio API",
            "version": VERSION,
            "description": "Compose, track and fetch Ray 3.2 generations through the "
            "studio. Authenticate with a personal token: `Authorization: Bearer studio_…` "
            "(account → API tokens, or `manage.py studio_token create EMAIL`). A token acts "
            "as its person in one team, with their role there.",
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "responses": RESPONSES,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
