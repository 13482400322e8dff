"""Append-only audit log (等保 2.0 安全审计; 网络安全法 art. 21: keep ≥ 6 months).

Rows can be inserted and read, never changed or deleted: the model refuses it, the queryset refuses
it, and a database trigger (see the migration) refuses it for anyone who goes around Django.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def bulk_update(self, objs, fields, batch_size=None):
        # Refuse before Django opens its own atomic block, so the caller's transaction stays usable.
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除。")

    def _raw_delete(self, using):
        raise AppendOnlyError("审计日志只能追加，不能删除。")

    def bulk_create(self, objs, *args, update_conflicts=False, update_fields=None, **kwargs):
        # An upsert (INSERT … ON CONFLICT DO UPDATE) would rewrite an existing row: refuse it, and refuse
        # it before Django opens its own atomic block.
        if update_conflicts or update_fields:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        return super().bulk_create(objs, *args, **kwargs)

    def restrict(self, user, action="view"):
        """The audit administrator reads within scope: records of actors or objects under their node."""
        if user is None or not user.is_authenticated:
            return self.none()
        perm = f"audit.{action}_{self.model._meta.model_name}"
        grants = user.scope.grants_with(perm)
        if not grants:
            return self.none()
        if any(len(g.area_path) <= 4 for g in grants):  # a grant on the root sees everything
            return self.all()
        q = Q()
        for g in grants:
            q |= Q(scope_path__startswith=g.area_path)
        return self.filter(q)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def save_base(self, raw=False, force_insert=False, force_update=False, using=None, update_fields=None):
        # ``save_base`` skips ``save()``: a row already in the database (or any explicit update) is refused here too.
        if not self._state.adding or force_update or update_fields is not None:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        if self.pk is not None and not force_insert:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        super().save_base(
            raw=raw, force_insert=force_insert, force_update=force_update, using=using, update_fields=update_fields
        )

    def _do_update(self, *args, **kwargs):
        # The last door to an UPDATE statement for a single row, whatever path led here.
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除。")


class AuditLog(AppendOnlyModel):
    """审计日志: who did what, when, from where, to which object, whether it succeeded, before/after."""

    ts = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("事件类型", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=40, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    success = models.BooleanField("是否成功", default=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    scope_path = models.CharField("管辖路径", max_length=255, blank=True, db_index=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-ts", "-id"]

    def __str__(self):
        return f"{self.ts:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"


class SensitiveAccessLog(AppendOnlyModel):
    """个人信息查看记录: every reveal of a full ID number or phone, with its stated reason."""

    ts = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField("对象类型", max_length=60)
    subject_id = models.CharField("对象编号", max_length=40)
    subject_repr = models.CharField("对象", max_length=100, blank=True)
    field = models.CharField("字段", max_length=40)
    reason = models.CharField("查看理由", max_length=200)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    scope_path = models.CharField("管辖路径", max_length=255, blank=True, db_index=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-ts", "-id"]
