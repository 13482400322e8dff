"""Schemathesis over the whole REST API, in-process against the WSGI app, as two personas.

Every operation of ``/api/v1/schema/`` (the schema endpoint itself is not in the schema) is called with
generated requests — schema-valid ones and, for a few examples, schema-violating ones — as a street
administrator (``longpan_admin``) and as a community worker (``wenchang_worker``), each with a real
token. Two properties hold:

* no request is answered with a server error (``not_a_server_error``);
* the schema's constraints are the API's: no operation refuses most of the schema-valid data it is sent
  with a validation error (400/422). Schemathesis calls that a *validation mismatch*; it meant the
  schema declared less than the serializers checked (a format, an enum, a bound, a required field).

The run is bounded (``MAX_EXAMPLES`` per operation and persona, no shrinking) so that it stays part of
``make test``. Open311 has no OpenAPI schema: ``jiceng/open311/tests`` and ``jiceng/core/tests/
test_hostile_input.py`` send it hostile parameters by hand.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("schemathesis")]

MAX_EXAMPLES = 10
PERSONAS = ["longpan_admin", "wenchang_worker"]

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The raw WSGI handler closes the database connection after each request (``close_old_connections``);
    inside the test's transaction that would end it on PostgreSQL. Django's test client disconnects the
    same receivers while it runs a request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=PERSONAS)
def token(request, db):
    from rest_framework.authtoken.models import Token

    from jiceng.testing.personas import persona

    return Token.objects.get_or_create(user=persona(request.param))[0].key


def mostly_rejected(counts: Counter[int]) -> bool:
    """Schemathesis' *validation mismatch* (``cli/commands/run/warnings.py``): no schema-valid request was
    accepted, and of the client errors at least a tenth were validation errors rather than 404s (401,
    403, 409 and 429 say nothing about the data)."""
    if not counts or not all(400 <= code < 500 for code in counts) or set(counts) <= {401, 403}:
        return False
    not_found = counts.get(404, 0)
    invalid = sum(n for code, n in counts.items() if code not in {401, 403, 404, 409, 429})
    return invalid > 0 and invalid / (not_found + invalid) >= 0.1


#: Operations whose refusals of schema-valid data no schema can prevent, and why. An import's file type is
#: its name's extension (.xlsx/.xls/.csv), which OpenAPI 3.0 cannot declare and Schemathesis does not
#: vary (it names every file after its field); ``jiceng/imports/tests`` submit real files.
#: 党员联户 and 服务登记卡 (members): who visited which household is fixed once written, and a record's hours
#: count against the member's other records of that day (24 at most) — a full update (PUT) of a row the
#: fuzzer's id happens to hit meets them by chance (members/tests test both rules).
MISMATCH_EXEMPT = {
    "POST /api/v1/imports/",
    "PUT /api/v1/member-visits/{id}/",
    "PUT /api/v1/service-records/{id}/",
}


class Tally(Counter):
    label = ""


@pytest.fixture
def tally():
    """Statuses of one operation's schema-valid requests; at the end, the validation-mismatch check."""
    counts = Tally()
    yield counts
    if counts.label not in MISMATCH_EXEMPT and mostly_rejected(counts):
        pytest.fail(f"{counts.label}: schema-valid requests mostly refused as invalid: {dict(counts)}")


@pytest.fixture
def known(token):
    """Rows and files no generator can guess (an existing category, a ticket in the persona's subtree, a
    point in its grid, a real image and spreadsheet, a password): every other schema-valid request of the
    operations that need them gets them, so the rest of the request is what is tested."""
    from rest_framework.authtoken.models import Token

    from jiceng.demo.builder import DEMO_PASSWORD
    from jiceng.territory.models import Area
    from jiceng.tickets.models import Category, Ticket
    from jiceng.tickets.states import OPEN_STATES

    user = Token.objects.get(key=token).user
    grid = Area.objects.filter(kind="grid", path__startswith=user.scope.grants[0].area_path).order_by("path").first()
    return {
        "category": Category.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True).first(),
        "ticket": Ticket.objects.restrict(user, "view").order_by("pk").values_list("pk", flat=True).first(),
        # An open ticket handled below the persona's node: a supervisor's 领导批示 is allowed on it.
        "open_ticket": Ticket.objects.restrict(user, "view")
        .filter(status__in=list(OPEN_STATES), handler_org__area__path__startswith=user.scope.grants[0].area_path)
        .exclude(handler_org__area__path=user.scope.grants[0].area_path)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "grid": grid,
        "lng": (grid.min_lng + grid.max_lng) / 2,
        "lat": (grid.min_lat + grid.max_lat) / 2,
        "password": DEMO_PASSWORD,
        "user": user,
        "node": Area.objects.get(path=user.scope.grants[0].area_path),
    }


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def supply(case, known: dict) -> None:
    label, body = case.operation.label, case.body
    if (
        case.path_parameters
        and "id" in case.path_parameters
        and label.startswith(("POST /api/v1/tickets/{id}/", "GET /api/v1/tickets/{id}/"))
    ):
        case.path_parameters["id"] = known["ticket"]
    if not isinstance(body, dict):
        return
    if label == "POST /api/v1/auth/token/":
        body.update(username="grid_wc01", password=known["password"])
        body.pop("otp_token", None)
    elif label == "POST /api/v1/tickets/":
        body.update(category=known["category"], lng=known["lng"], lat=known["lat"])
        for field in ("grid", "building"):
            body.pop(field, None)
    elif label == "POST /api/v1/tickets/{id}/attachments/":
        body["file"] = PNG  # sent as a file named after its field; the type is sniffed from the content
    elif label.startswith("POST /api/v1/") and label.endswith("/{id}/attachments/"):  # a declared entity's files
        body["file"] = PNG
        supply_entity_row(case, label, known)
    elif label == "POST /api/v1/tickets/{id}/transitions/":
        case.path_parameters["id"] = known["open_ticket"]
        case.body = {"action": "instruct", "comment": body.get("comment") or "请加快办理。"}
    else:
        supply_entity(label, body, known)


def supply_entity_row(case, label: str, known: dict) -> None:
    """A row of the entity the persona may change, for an upload of its files (ids are not guessable)."""
    from jiceng.core import entities

    for entity in entities.entities():
        if entity.api_name and label == f"POST /api/v1/{entity.api_name}/{{id}}/attachments/":
            rows = entity.model._default_manager.restrict(known["user"], "change").order_by("pk")
            case.path_parameters["id"] = rows.values_list("pk", flat=True).first()


def supply_entity(label: str, body: dict, known: dict) -> None:
    """A declared entity's create or update (``core.entities``): the links and dates of a valid row at the
    persona's node — what ``Entity.sample`` gives the write-scope matrix — since no schema can say which
    ids the persona sees or which dates a rule admits; other dates in the past (a future start date is
    refused by a model's rule, which no schema states)."""
    from django.db.models import DateField

    from jiceng.core import entities

    for entity in entities.entities():
        if not entity.api_name:
            continue
        create = label == f"POST /api/v1/{entity.api_name}/"
        update = label in (f"PUT /api/v1/{entity.api_name}/{{id}}/", f"PATCH /api/v1/{entity.api_name}/{{id}}/")
        if not (create or update):
            continue
        sample = _entity_sample(entity, known)
        for name in entity.fields:
            field = entity.model._meta.get_field(name)
            if not (create or name in body):
                continue
            if name in sample:
                body[name] = _as_json(sample[name])
            elif isinstance(field, DateField) and body.get(name):
                body[name] = "2020-01-01"


def _entity_sample(entity, known) -> dict:
    """``Entity.sample`` at the persona's grid when it can make one there (every link found), else at the
    persona's own node (a committee's rows sit at a community or a street)."""
    for node in (known["grid"], known["node"]):
        sample = entity.sample(node, name="接口测试")
        if all(sample.get(k) is not None for k in entity.fields if k in sample and _required(entity, k)):
            return sample
    return sample


def _required(entity, name: str) -> bool:
    field = entity.model._meta.get_field(name)
    return not (field.null or field.blank)


def _as_json(value):
    import datetime as dt

    if isinstance(value, list | tuple):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "pk", value)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_operation(case, token, tally, known):
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    if positive and sum(tally.values()) % 2 == 0:
        supply(case, known)
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=[not_a_server_error])
    if positive and not _nul_refused(response):
        tally.label = case.operation.label
        tally[response.status_code] += 1


def _nul_refused(response) -> bool:
    """A U+0000 anywhere in a request — a generated extra key of a JSON object, say — is refused by the
    hostile-input middleware before any view (``core.middleware``): no schema can forbid it in a key, so
    such a refusal says nothing about the schema's constraints."""
    from jiceng.core.middleware import NUL_MESSAGE

    return response.status_code == 400 and NUL_MESSAGE in response.text
