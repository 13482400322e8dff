"""Writes about people. Personal data is validated, encrypted and hashed here, and nowhere else."""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import NOT_PROVIDED, CharField

from jiceng.audit.services import audit_bulk_create, audit_record, sensitive_access_record, snapshot
from jiceng.core import counting, validators
from jiceng.core.bulk import fast_insert, is_unique_violation
from jiceng.core.crypto import lookup_hash
from jiceng.core.errors import OutOfScope
from jiceng.core.services import Result, full_clean, reject_unknown, require_perm, require_scope
from jiceng.core.validators import validate_id_number, validate_not_future, validate_phone
from jiceng.territory.models import Household

from .choices import IdType, PopulationType, Relation
from .models import Resident, ResidentTag, Worker

RESIDENT_FIELDS = {
    "name", "former_name", "id_type", "id_number", "gender", "birth_date", "ethnicity", "political_status",
    "education", "marital_status", "religion", "occupation", "employer", "phone", "hukou_address",
    "current_address", "population_type", "household", "relation_to_head", "inflow_reason",
    "residence_permit_no", "registered_on", "permit_expiry", "is_deceased", "moved_out_at",
}  # fmt: skip


def id_hash_for(number: str) -> str:
    return lookup_hash("id:" + number)


def phone_hash_for(phone: str) -> str:
    return lookup_hash("phone:" + phone)


def _new_resident(data: dict) -> Resident:
    """``Resident(**data)``, the same instance, built through the positional constructor Django's own
    ``from_db`` uses (cheaper, and an import builds one per row; docs/decisions/imports-and-exports.md):
    every field's default, ``data`` over them, related objects (``household``) set through their
    descriptors.
    ``data`` holds field names only (``reject_unknown`` ran)."""
    template, index, per_instance = _resident_defaults()
    args = template.copy()
    for i, f in per_instance:
        args[i] = f.get_default()
    related = []
    for key, value in data.items():
        i = index.get(key)
        if i is None:
            related.append((key, value))
        else:
            args[i] = value
    resident = Resident(*args)
    for key, value in related:
        setattr(resident, key, value)
    return resident


@cache
def _resident_defaults() -> tuple[list, dict[str, int], list]:
    """Resident's concrete fields' defaults in order, the position of each plain field by name, and the
    fields whose default must be made for each instance (callable or database defaults)."""
    fields = Resident._meta.concrete_fields
    index = {f.attname: i for i, f in enumerate(fields) if f.attname == f.name}
    per_instance = [
        (i, f)
        for i, f in enumerate(fields)
        if f.db_default is not NOT_PROVIDED or (f.has_default() and callable(f.default))
    ]
    return [f.get_default() for f in fields], index, per_instance


@cache
def _unique_checks_beyond_pk(exclude: frozenset[str]) -> bool:
    """Whether ``validate_unique`` has anything to check on a *new* resident with ``exclude`` left out.
    Today it has not (the pk, unset on a new row, and ``id_hash``, checked per batch): ``resident_build``
    then skips it rather than walk every field to find that out, per row."""
    unique_checks, date_checks = Resident()._get_unique_checks(exclude=exclude)
    return bool(date_checks) or any(names != (Resident._meta.pk.name,) for _, names in unique_checks)


def _prepare_resident(resident: Resident) -> list[str]:
    """Normalise, validate and derive (GB 11643 ID numbers, phones). Returns warnings; raises ValidationError."""
    errors: dict[str, str] = {}
    warnings: list[str] = []
    resident.name = (resident.name or "").strip()
    if not resident.name:
        errors["name"] = "请填写姓名。"
    if resident.id_type == IdType.RESIDENT_ID:
        try:
            info = validate_id_number(resident.id_number or "")
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
        else:
            resident.id_number = info.number
            warnings.extend(info.warnings)
            if resident.birth_date and resident.birth_date != info.birth_date:
                errors["birth_date"] = f"出生日期与身份证号不一致（身份证号显示 {info.birth_date:%Y-%m-%d}）。"
            if resident.gender and resident.gender in {"1", "2"} and resident.gender != info.gender:
                errors["gender"] = "性别与身份证号第 17 位不一致（奇数为男，偶数为女）。"
            resident.birth_date = info.birth_date
            resident.gender = info.gender
    else:
        number = (resident.id_number or "").strip().upper()
        if not number:
            errors["id_number"] = "请填写证件号码。"
        resident.id_number = number
        if not resident.birth_date:
            errors["birth_date"] = "请填写出生日期。"
        if not resident.gender:
            errors["gender"] = "请选择性别。"
    if resident.phone:
        try:
            resident.phone = validate_phone(resident.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    for field, label in (("registered_on", "登记日期"), ("moved_out_at", "迁出日期")):
        try:
            validate_not_future(getattr(resident, field), label)
        except ValidationError as exc:
            errors[field] = exc.messages[0]
    if resident.birth_date:
        try:
            validate_not_future(resident.birth_date, "出生日期")
        except ValidationError as exc:
            errors["birth_date"] = exc.messages[0]
    if resident.population_type == PopulationType.FLOATING and not resident.inflow_reason:
        warnings.append("流动人口建议填写流入原因。")
    if not resident.household_id:
        errors["household"] = "请选择所在户（楼栋与房号）。"
    if errors:
        raise ValidationError(errors)
    resident.id_hash = id_hash_for(resident.id_number)
    resident.id_last4 = resident.id_number[-4:]
    resident.phone_hash = phone_hash_for(resident.phone) if resident.phone else ""
    resident.sync_masks()  # the batch path inserts without save()
    household = resident.household
    resident.building_id = household.building_id
    resident.grid_id = household.building.grid_id
    resident.scope_path = household.scope_path
    return warnings


def _check_duplicate(resident: Resident, actor) -> None:
    """One person, one record in the whole district. A clash outside the actor's scope says only that
    the person is registered elsewhere (needed to arrange a move), never where or who."""
    clash = Resident.objects.filter(id_hash=resident.id_hash)
    if resident.pk:
        clash = clash.exclude(pk=resident.pk)
    if not clash.exists():
        return
    if clash.restrict(actor, "view").exists():
        raise ValidationError({"id_number": "该证件号码已登记为其他居民，不能重复登记。"})
    raise ValidationError({"id_number": "该证件号码已在您的管辖范围以外登记，请联系上级部门办理人员迁入。"})


SECOND_SPOUSE = "该户已登记户主的配偶，一户只能有一名配偶，请核对与户主关系。"


def _live_spouses(household_ids):
    return Resident.objects.filter(
        household_id__in=household_ids, relation_to_head=Relation.SPOUSE, deleted_at__isnull=True,
        is_deceased=False, moved_out_at__isnull=True,
    )  # fmt: skip


def _check_one_spouse(resident: Resident) -> None:
    """A household has at most one living 配偶 of its head. The household row is locked first, so two
    people registering a spouse of the same head at once do not both pass."""
    if resident.relation_to_head != Relation.SPOUSE or not resident.household_id:
        return
    Household.objects.select_for_update().filter(pk=resident.household_id).values_list("pk").first()
    if _live_spouses([resident.household_id]).exclude(pk=resident.pk).exists():
        raise ValidationError({"relation_to_head": SECOND_SPOUSE})


@transaction.atomic
def resident_create(*, actor, **data) -> Result[Resident]:
    reject_unknown(data, RESIDENT_FIELDS)
    resident = _new_resident(data)
    warnings = _prepare_resident(resident)
    require_scope(actor, Resident, "add", resident.scope_path)
    _check_duplicate(resident, actor)
    _check_one_spouse(resident)
    full_clean(resident, exclude=["id_hash"])
    resident.save()
    audit_record(actor=actor, action="create", obj=resident, after=snapshot(resident))
    return Result(resident, warnings)


# --- batch creation (the import fast path) --------------------------------------------------------


def resident_build(*, actor, **data) -> tuple[Resident, list[str]]:
    """Every check of :func:`resident_create` on an unsaved resident, writing nothing.

    Same normalisation and validators (``_prepare_resident``), same scope check, same ``full_clean`` —
    except the foreign keys (household, building, grid: the caller resolved them from the database,
    once per batch) and the identity-number uniqueness, which the caller reads for the whole batch in
    one query and the unique index guards at :func:`residents_bulk_create`; ``validate_unique`` runs only if the
    model gains a unique check beyond those (``_unique_checks_beyond_pk``), and within an import a
    coded value the run has already accepted is not checked again (``_full_clean_built``). Raises like
    ``resident_create``.
    """
    reject_unknown(data, RESIDENT_FIELDS)
    resident = _new_resident(data)
    warnings = _prepare_resident(resident)
    require_scope(actor, Resident, "add", resident.scope_path)
    _full_clean_built(resident)
    return resident, warnings


_BUILD_EXCLUDE = frozenset({"id_hash", "household", "building", "grid"})


def _full_clean_built(resident: Resident) -> None:
    """``full_clean`` of a resident built for a batch (``_BUILD_EXCLUDE`` left out).

    Inside an import (``validators.remembering_accepted_values``) a coded field (a text field with
    choices: 民族, 政治面貌, 与户主关系 …) whose value an earlier row of the run already passed is not
    checked again: that check is a function of the value alone (in the choices, not blank, not too
    long), and a file repeats a handful of codes in every row. Every other field is checked as
    ``resident_create`` checks it."""
    memo = validators.remembered_values()
    coded = _coded_fields() if memo is not None else ()
    exclude = _BUILD_EXCLUDE
    if coded:
        known = {name for name in coded if isinstance(v := resident.__dict__[name], str) and ("coded", name, v) in memo}
        if known:
            exclude = exclude | known
    resident.full_clean(
        exclude=exclude, validate_unique=_unique_checks_beyond_pk(_BUILD_EXCLUDE), validate_constraints=True
    )
    for name in coded:  # it passed
        value = resident.__dict__[name]
        if isinstance(value, str) and value:
            validators.remember(memo, ("coded", name, value), True)


@cache
def _coded_fields() -> tuple[str, ...]:
    """Resident's coded text fields — none if leaving one out of ``full_clean`` could leave out more than
    its own check (a constraint or a unique check naming it: ``full_clean`` excludes those too)."""
    if Resident._meta.constraints or Resident._meta.unique_together or _unique_checks_beyond_pk(_BUILD_EXCLUDE):
        return ()
    return tuple(
        f.name
        for f in Resident._meta.concrete_fields
        if f.choices
        and isinstance(f, CharField)
        and not f.is_relation
        and not f.unique
        and f.name not in _BUILD_EXCLUDE
    )


class DuplicateInBatch(Exception):
    """An identity number of the batch is already registered (a concurrent write): apply row by row."""


def residents_bulk_create(*, actor, residents: list[Resident], detail: dict | None = None) -> list[Resident]:
    """Insert residents built by :func:`resident_build` in one statement; **one** audit row lists them.

    The audit granularity of a batch import: ``action="bulk_create"``, ``object_type`` people.Resident,
    ``detail.ids`` every created id (plus the caller's ``detail``, e.g. the import job). Caller holds
    the transaction.
    """
    if not residents:
        return []
    for path in {r.scope_path for r in residents}:  # the scope is re-checked at the write
        require_scope(actor, Resident, "add", path)
    hashes = [r.id_hash for r in residents]
    if len(set(hashes)) != len(hashes):
        raise DuplicateInBatch()
    spouses = [r.household_id for r in residents if r.relation_to_head == Relation.SPOUSE]
    if spouses and (len(set(spouses)) != len(spouses) or _live_spouses(spouses).exists()):
        raise DuplicateInBatch()  # row by row, where ``resident_create`` refuses the second spouse
    # A number registered meanwhile is refused by the unique index, not looked up first (the caller has
    # just read which are registered); the savepoint keeps the caller's transaction usable.
    try:
        with transaction.atomic():
            fast_insert(Resident, residents)  # COPY on PostgreSQL; encrypts id_number and phone as save() would
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise DuplicateInBatch() from None
    audit_bulk_create(
        actor=actor,
        model=Resident,
        ids=[r.pk for r in residents],
        paths=[r.scope_path for r in residents],
        detail=detail,
    )
    counting.bump_paths({r.scope_path for r in residents})
    return residents


@transaction.atomic
def resident_update(*, actor, resident: Resident, **data) -> Result[Resident]:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    require_scope(actor, Resident, "change", resident.scope_path)
    before = snapshot(resident)
    old_hashes = {"id_number": resident.id_hash, "phone": resident.phone_hash}
    reject_unknown(data, RESIDENT_FIELDS, verb="修改")
    for key, value in data.items():
        setattr(resident, key, value)
    warnings = _prepare_resident(resident)
    require_scope(actor, Resident, "change", resident.scope_path)  # a move must land inside scope too
    _check_duplicate(resident, actor)
    if (resident.relation_to_head, resident.household_id) != (before["relation_to_head"], before["household"]):
        _check_one_spouse(resident)
    full_clean(resident, exclude=["id_hash"])
    resident.save()
    if resident.scope_path != before["scope_path"]:  # moved house: the tags follow the person
        ResidentTag.objects.filter(resident=resident).update(scope_path=resident.scope_path)
    after = snapshot(resident)
    # The snapshot never holds personal data in clear; record only *that* it changed (the hashes tell).
    for field, new_hash in (("id_number", resident.id_hash), ("phone", resident.phone_hash)):
        if old_hashes[field] != new_hash:
            after[field] = "（已变更）"
    audit_record(actor=actor, action="update", obj=resident, before=before, after=after)
    return Result(resident, warnings)


REVEALABLE = {"id_number": "证件号码", "phone": "联系电话"}


def reveal_personal_data(*, actor, obj, field: str, reason: str) -> str:
    """Return the full value of a masked field; needs ``people.reveal_<model>`` and a reason, and is logged.

    A refused attempt is logged too (``reveal_denied``). That row is written outside any transaction of
    this function, so raising the refusal does not roll it back.
    """
    reason = (reason or "").strip()
    if field not in REVEALABLE or not hasattr(obj, field):
        raise ValidationError({"field": "该字段不可查看明文。"})
    perm = f"people.reveal_{obj._meta.model_name}"
    allowed = actor is not None and actor.is_authenticated and actor.scope.covers_path(obj.scope_path, perm)
    if not allowed:
        audit_record(
            actor=actor, action="reveal_denied", obj=obj, success=False, detail={"field": field, "reason": reason[:200]}
        )
        raise OutOfScope("您没有查看完整个人信息的权限。")
    if len(reason) < 4:
        raise ValidationError({"reason": "请填写查看理由（至少 4 个字）。"})
    with transaction.atomic():
        sensitive_access_record(actor=actor, obj=obj, field=field, reason=reason[:200])
    return getattr(obj, field) or ""


TAG_FIELDS = {"resident", "tag_type", "risk_level", "help_measures", "valid_from", "valid_to"}


def _require_tag_access(actor, action: str, path: str) -> None:
    """Special-population tags: the ``viewtags`` permission must cover the resident, not just exist somewhere."""
    require_perm(actor, "people.viewtags_residenttag")
    require_scope(actor, ResidentTag, "viewtags", path)
    require_scope(actor, ResidentTag, action, path)


@transaction.atomic
def tag_create(*, actor, **data) -> Result[ResidentTag]:
    reject_unknown(data, TAG_FIELDS)
    tag = ResidentTag(**data)
    _require_tag_access(actor, "add", tag.resident.scope_path)
    tag.scope_path = tag.resident.scope_path
    if tag.valid_from and tag.valid_to and tag.valid_to < tag.valid_from:
        raise ValidationError({"valid_to": "截止日期不能早于起始日期。"})
    full_clean(tag)
    tag.save()
    audit_record(actor=actor, action="create", obj=tag, after=snapshot(tag))
    return Result(tag)


@transaction.atomic
def tag_update(*, actor, tag: ResidentTag, **data) -> Result[ResidentTag]:
    tag = ResidentTag.objects.select_for_update().get(pk=tag.pk)
    _require_tag_access(actor, "change", tag.scope_path)
    before = snapshot(tag)
    for key, value in data.items():
        if key not in TAG_FIELDS - {"resident"}:
            raise ValidationError({key: "该字段不可修改。"})
        setattr(tag, key, value)
    if tag.valid_from and tag.valid_to and tag.valid_to < tag.valid_from:
        raise ValidationError({"valid_to": "截止日期不能早于起始日期。"})
    full_clean(tag)
    tag.save()
    audit_record(actor=actor, action="update", obj=tag, before=before, after=snapshot(tag))
    return Result(tag)


WORKER_FIELDS = {
    "name", "user", "community", "gender", "phone", "post", "grade", "level", "hire_date", "contract_end",
    "qualification", "is_grid_worker", "is_active",
}  # fmt: skip


def _prepare_worker(worker: Worker, grids) -> None:
    errors = {}
    if worker.community.kind != "community":
        errors["community"] = "社区工作者必须属于一个社区。"
    if worker.phone:
        try:
            worker.phone = validate_phone(worker.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if worker.level is not None and not 1 <= worker.level <= 6:
        errors["level"] = "档次应在 1-6 之间。"
    if grids is not None:
        for g in grids:
            if g.kind != "grid" or not g.path.startswith(worker.community.path):
                errors["grids"] = f"网格“{g.name}”不属于该社区。"
        if worker.is_grid_worker and not grids:
            errors["grids"] = "网格员至少服务一个网格。"
    if errors:
        raise ValidationError(errors)
    worker.phone_hash = phone_hash_for(worker.phone) if worker.phone else ""
    worker.scope_path = worker.community.path


@transaction.atomic
def worker_create(*, actor, grids=(), **data) -> Result[Worker]:
    reject_unknown(data, WORKER_FIELDS)
    worker = Worker(**data)
    grids = list(grids)
    _prepare_worker(worker, grids)
    require_scope(actor, Worker, "add", worker.scope_path)
    full_clean(worker)
    worker.save()
    worker.grids.set(grids)
    audit_record(actor=actor, action="create", obj=worker, after={**snapshot(worker), "grids": [g.pk for g in grids]})
    return Result(worker)


@transaction.atomic
def worker_update(*, actor, worker: Worker, grids=None, **data) -> Result[Worker]:
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    require_scope(actor, Worker, "change", worker.scope_path)
    before = {**snapshot(worker), "grids": sorted(worker.grids.values_list("pk", flat=True))}
    for key, value in data.items():
        if key not in WORKER_FIELDS:
            raise ValidationError({key: "该字段不可修改。"})
        setattr(worker, key, value)
    grids = list(grids) if grids is not None else None
    _prepare_worker(worker, grids if grids is not None else list(worker.grids.all()))
    require_scope(actor, Worker, "change", worker.scope_path)
    full_clean(worker)
    worker.save()
    if grids is not None:
        worker.grids.set(grids)
    after = {**snapshot(worker), "grids": sorted(worker.grids.values_list("pk", flat=True))}
    audit_record(actor=actor, action="update", obj=worker, before=before, after=after)
    return Result(worker)
