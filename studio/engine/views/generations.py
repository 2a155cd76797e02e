"""POST /v1/generations and GET /v1/generations/{id} (contract §1–§5)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from studio import mediastore
from studio.contract import errors as e
from studio.contract import price_of, validate
from studio.contract.parsing import parse_uuid
from studio.engine import errors as x
from studio.engine import faults
from studio.engine.errors import ApiFailure
from studio.engine.http import api_view, read_json
from studio.engine.keys import authenticate
from studio.engine.limits import admit
from studio.engine.models import ApiKey, EngineGeneration
from studio.engine.refs import KeyResolver, generation_folder, stage_inputs
from studio.engine.storage import ENGINE
from studio.engine.wire import generation_body


@api_view("POST")
def create(request: HttpRequest) -> HttpResponse:
    key = authenticate(request)
    body = read_json(request)
    generation_request = validate(body, KeyResolver(key))
    # A cheap early answer before fetching any media; repeated under the lock below.
    admit(key, price_of(generation_request).amount, record=False)
    generation_id = uuid.uuid4()
    try:
        inputs, stored, seconds = stage_inputs(body, generation_request, key, generation_id)
        price = price_of(generation_request, source_seconds=seconds).amount
        with transaction.atomic():
            locked = ApiKey.objects.select_for_update().get(pk=key.pk)
            allowance = admit(locked, price, record=True)
            generation = EngineGeneration.objects.create(
                id=generation_id,
                key=locked,
                type=generation_request.type,
                request=stored,
                inputs=inputs,
                price=price,
                source_seconds=seconds,
            )
    except BaseException:
        # Refused or broken: nothing of this request stays behind.
        mediastore.delete_folder(generation_folder(generation_id), ENGINE)
        raise
    response = JsonResponse(generation_body(generation, request), status=201)
    for name, value in allowance.headers().items():
        response[name] = value
    return response


@api_view("GET")
def detail(request: HttpRequest, generation_id: str) -> HttpResponse:
    key = authenticate(request)
    faults.maybe_fail_get(request.engine_request_id)  # type: ignore[attr-defined]
    parsed = parse_uuid(generation_id)
    generation = (
        EngineGeneration.objects.filter(id=parsed, key=key).first() if parsed is not None else None
    )
    if generation is None:
        raise ApiFailure(404, e.GENERATION_NOT_FOUND)
    return JsonResponse(generation_body(generation, request))


@api_view("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
def not_found(request: HttpRequest) -> HttpResponse:
    raise ApiFailure(404, x.NOT_FOUND)
