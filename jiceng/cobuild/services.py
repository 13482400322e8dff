"""Writes of 单位包保: the entity services (scope, rules, audit) and the liaison's own-unit creation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import RoleGrant
from jiceng.audit.services import audit_record
from jiceng.core.entities import EntityService
from jiceng.core.errors import OutOfScope
from jiceng.core.services import Result, reject_unknown
from jiceng.notices.choices import NotificationKind
from jiceng.notices.services import notify
from jiceng.orgs.models import Organisation

from .choices import ReportStatus
from .models import Pairing, UnitReport, UnitReportEvent


def is_liaison_of(actor, unit_id) -> bool:
    """Whether ``actor`` is the liaison (``unit_liaison`` and a member) of the unit."""
    if actor is None or not getattr(actor, "is_authenticated", False) or unit_id is None:
        return False
    if not any(g.role == "unit_liaison" for g in actor.scope.grants):
        return False
    return Organisation.members.through.objects.filter(user_id=actor.pk, organisation_id=unit_id).exists()


class UnitWriteService(EntityService):
    """Staff write inside their subtree (the generic service). A unit's liaison, who holds no subtree
    grant, may also *create* a row for a pairing of their own unit (an activity, a report); everything
    else of the generic service (validation, ``full_clean``, audit, side effects) is the same."""

    def create(self, *, actor, **data):
        pairing = data.get("pairing")
        if isinstance(pairing, Pairing) and is_liaison_of(actor, pairing.unit_id):
            return self._create_for_own_unit(actor, data)
        return super().create(actor=actor, **data)

    def _create_for_own_unit(self, actor, data) -> Result:
        with transaction.atomic():
            reject_unknown(data, set(self.entity.fields))
            if not actor.scope.has_perm(self.entity.perm("add")):
                raise OutOfScope("您没有执行此操作的权限。")
            if not Pairing.objects.restrict(actor, "view").filter(pk=data["pairing"].pk).exists():
                raise OutOfScope("所选包保关系不在您的管辖范围内。")
            obj = self.model(**data)
            obj.scope_path = self.entity.path_of(obj)
            self._check(obj, actor)
            obj.save()
            self.after_save(obj, data, created=True)
            audit_record(actor=actor, action="create", obj=obj, after=self.snapshot(obj))
            transaction.on_commit(lambda: self.on_commit(obj, "create"))
            return Result(obj, self.warnings(obj))


class PairingService(EntityService):
    def validate(self, obj, *, actor):
        """Two writers pairing the same unit wait for each other, so the no-overlap rule (``clean``) holds."""
        if obj.unit_id:
            Organisation.objects.select_for_update().filter(pk=obj.unit_id).first()

    def warnings(self, obj) -> list[str]:
        if obj.end_date is not None and obj.end_date < timezone.localdate():
            return ["该包保关系已到期。"]
        return []


class UnitActivityService(UnitWriteService):
    pass


class UnitReportService(UnitWriteService):
    """A report is filed for a pairing in force; its state moves only through ``workflow.REPORTS``."""

    def validate(self, obj, *, actor):
        obj.derive()
        if obj.pk is None and not obj.pairing.is_active_on(timezone.localdate()):
            raise ValidationError({"pairing": "该包保关系不在包保期内，不能报到。"})
        if obj.pk is not None and UnitReport.objects.get(pk=obj.pk).status == ReportStatus.CONFIRMED:
            raise ValidationError("报到单已确认（回执已留存），不能修改。")

    def create(self, *, actor, **data):
        """Filing is the life cycle's first event (``submit``); the workflow takes it from there."""
        with transaction.atomic():
            result = super().create(actor=actor, **data)
            UnitReportEvent.objects.create(
                report=result.obj, actor=actor, action="submit", to_status=ReportStatus.SUBMITTED
            )
            return result

    def on_commit(self, obj, action):
        if action == "create":
            workers = RoleGrant.objects.filter(area_id=obj.community_id, role="community_worker")
            notify(
                recipients=workers.values_list("user_id", flat=True),
                target=obj,
                text=f"{obj.unit}向本社区提交了报到单，请确认。",
                kind=NotificationKind.TODO,
            )


class UnitEvaluationService(EntityService):
    def validate(self, obj, *, actor):
        obj.derive()
