"""The time limits (时限): the rules in force for a category and urgency, and the settings page's writes
(``sla_rule_set`` / ``sla_table_set``, district admin only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from jiceng.audit.services import audit_record
from jiceng.core.services import Result

from ..choices import CategoryKind, Urgency
from ..models import Category, SlaRule

# --- SLA ---------------------------------------------------------------------------------------

#: DOMAIN (b): dispatch 1 h 特急 / 2 h 紧急 / 24 h 一般; feedback 咨询 3 working days, others 10 (Anhui).
DEFAULT_DISPATCH_HOURS = {Urgency.CRITICAL: 1, Urgency.URGENT: 2, Urgency.NORMAL: 24}
DEFAULT_FEEDBACK_WORKDAYS = {CategoryKind.CONSULT: 3}
DEFAULT_FEEDBACK_OTHER = 10


def sla_for(category: Category, urgency: str) -> tuple[int, int]:
    """``(dispatch_hours, feedback_workdays)``: the category's own rule, else its kind's, else the defaults."""
    rules = list(
        SlaRule.objects.filter(kind=category.kind, urgency=urgency).filter(
            Q(category__isnull=True) | Q(category=category)
        )
    )
    rule = next((r for r in rules if r.category_id == category.pk), None) or next(
        (r for r in rules if r.category_id is None), None
    )
    if rule is not None:
        return rule.dispatch_hours, rule.feedback_workdays
    return (
        DEFAULT_DISPATCH_HOURS.get(urgency, 24),
        DEFAULT_FEEDBACK_WORKDAYS.get(category.kind, DEFAULT_FEEDBACK_OTHER),
    )


# --- settings: time limits (district admin: ``tickets.configure_ticket``) -------------------------------

CONFIGURE_PERM = "tickets.configure_ticket"
#: Sensible maxima: a dispatch limit beyond a week or a handling limit beyond 60 working days (the
#: longest statutory period a 诉求 can fall under, 信访条例 art. 33) is a typing error, not a policy.
MAX_DISPATCH_HOURS = 168
MAX_FEEDBACK_WORKDAYS = 60


def sla_table() -> dict[tuple[str, str], tuple[int, int, bool]]:
    """The kind-level time limits in force: ``{(kind, urgency): (dispatch_hours, feedback_workdays,
    is_default)}`` for every category kind × urgency (one query)."""
    rules = {(r.kind, r.urgency): r for r in SlaRule.objects.filter(category__isnull=True)}
    table = {}
    for kind in CategoryKind.values:
        for urgency in Urgency.values:
            rule = rules.get((kind, urgency))
            if rule is not None:
                table[kind, urgency] = (rule.dispatch_hours, rule.feedback_workdays, False)
            else:
                table[kind, urgency] = (
                    DEFAULT_DISPATCH_HOURS.get(urgency, 24),
                    DEFAULT_FEEDBACK_WORKDAYS.get(kind, DEFAULT_FEEDBACK_OTHER),
                    True,
                )
    return table


def _limit(value, label: str, maximum: int, unit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError(f"{label}须为整数。") from None
    if value < 1:
        raise ValidationError(f"{label}须为正整数（至少 1 {unit}）。")
    if value > maximum:
        raise ValidationError(f"{label}不能超过 {maximum} {unit}。")
    return value


def sla_rule_set(
    *, actor, kind: str, urgency: str, dispatch_hours, feedback_workdays, category: Category | None = None
) -> Result[SlaRule | None]:
    """Set the time limits of one category kind (or one category) × urgency; audited with before/after.

    Applies to tickets submitted (dispatch limit) or accepted (handling limit) afterwards: the deadlines
    already set on tickets are not recomputed. Returns ``Result(None)`` when nothing changed.
    """
    from jiceng.core.services import require_perm

    require_perm(actor, CONFIGURE_PERM)
    if kind not in CategoryKind.values:
        raise ValidationError({"kind": "诉求类型无效。"})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": "紧急程度无效。"})
    if category is not None and category.kind != kind:
        raise ValidationError({"category": f"类别“{category.name}”不属于“{CategoryKind(kind).label}”。"})
    errors = {}
    try:
        dispatch_hours = _limit(dispatch_hours, "派单时限", MAX_DISPATCH_HOURS, "小时")
    except ValidationError as exc:
        errors["dispatch_hours"] = exc.messages
    try:
        feedback_workdays = _limit(feedback_workdays, "办结时限", MAX_FEEDBACK_WORKDAYS, "个工作日")
    except ValidationError as exc:
        errors["feedback_workdays"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = SlaRule.objects.select_for_update().filter(kind=kind, urgency=urgency, category=category).first()
        if rule is not None:
            before = {"dispatch_hours": rule.dispatch_hours, "feedback_workdays": rule.feedback_workdays}
        elif category is None:
            hours, days, _ = sla_table()[kind, urgency]
            before = {"dispatch_hours": hours, "feedback_workdays": days, "default": True}
        else:
            before = {}
        after = {"dispatch_hours": dispatch_hours, "feedback_workdays": feedback_workdays}
        if {k: before.get(k) for k in after} == after:
            return Result(None)  # unchanged (including "the default, entered as is")
        if rule is None:
            rule = SlaRule(kind=kind, urgency=urgency, category=category)
        rule.dispatch_hours, rule.feedback_workdays = dispatch_hours, feedback_workdays
        rule.save()
        audit_record(
            actor=actor, action="sla_rule_set", obj=rule, before=before, after=after,
            detail={"kind": kind, "urgency": urgency, "category": category.pk if category else None},
        )  # fmt: skip
    return Result(rule)


def sla_order_warnings(table: dict[tuple[str, str], tuple[int, int, bool]] | None = None) -> list[str]:
    """Soft checks: a more urgent level should not have a longer limit than a less urgent one."""
    table = table or sla_table()
    order = [Urgency.CRITICAL, Urgency.URGENT, Urgency.NORMAL]
    warnings = []
    for kind in CategoryKind:
        for index, label in ((0, "派单时限"), (1, "办结时限")):
            values = [table[kind.value, u.value][index] for u in order]
            if values != sorted(values):
                shown = "、".join(f"{u.label} {v}" for u, v in zip(order, values, strict=True))
                warnings.append(f"“{kind.label}”的{label}不是越紧急越短（{shown}），请核对。")
    return warnings


@transaction.atomic
def sla_table_set(*, actor, values: dict[tuple[str, str], tuple[int, int]]) -> Result[list[SlaRule]]:
    """Set several kind-level rules at once, all or nothing. Errors are keyed
    ``"<kind>-<urgency>-dispatch_hours"`` / ``"…-feedback_workdays"``; warnings check the urgency order."""
    from jiceng.core.services import require_perm

    require_perm(actor, CONFIGURE_PERM)
    changed, errors = [], {}
    for (kind, urgency), (hours, days) in values.items():
        try:
            with transaction.atomic():
                result = sla_rule_set(
                    actor=actor, kind=kind, urgency=urgency, dispatch_hours=hours, feedback_workdays=days
                )
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                errors[f"{kind}-{urgency}-{field_name}"] = messages
            continue
        if result.obj is not None:
            changed.append(result.obj)
    if errors:
        raise ValidationError(errors)
    return Result(changed, warnings=sla_order_warnings() if changed else [])
