"""Writes on accounts (HackSoft services, Zulip ``do_*``): keyword-only, an ``actor``, one transaction,
an explicit audit row. Refusals raise ``ValidationError`` / ``PermissionDenied`` and write nothing
(except the audit row recording the refusal where 等保 asks for it: failed password changes and
TOTP codes)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.audit.services import audit_record, snapshot
from jiceng.territory.models import Area

from . import selectors
from .models import OTPEnrolmentCode, PasswordHistory, RoleGrant, User
from .roles import ROLES

OTP_ISSUER = "基层治理平台"
SANYUAN_LABEL = "三员（系统管理员、安全管理员、审计管理员）"


# --- Passwords --------------------------------------------------------------------------------


def _set_password(user: User, new: str) -> None:
    """Keep the old hash (for the "not one of the last five" rule), set the new one, stamp the date."""
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = settings.JICENG_PASSWORD_HISTORY
        stale = list(user.password_history.values_list("pk", flat=True)[keep:])
        if stale:  # older hashes serve no rule any more: do not keep credentials longer than needed
            PasswordHistory.objects.filter(pk__in=stale).delete()
    user.set_password(new)
    user.password_changed_at = timezone.now()


def password_change(*, user: User, old: str, new: str) -> User:
    """The user changes their own password (forced on first login and every 90 days)."""
    if not user.check_password(old):
        audit_record(
            actor=user,
            action="password_change",
            obj=user,
            success=False,
            detail={"reason": "原密码不正确"},
            scope_path=selectors.user_scope_path(user),
        )
        raise ValidationError({"old_password": "原密码不正确。"})
    validate_password(new, user)  # AUTH_PASSWORD_VALIDATORS: length, classes, username, history
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _set_password(user, new)
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        revoke_api_tokens(user)
        audit_record(actor=user, action="password_change", obj=user, scope_path=selectors.user_scope_path(user))
    return user


# --- Accounts ---------------------------------------------------------------------------------


def _require(actor, perm: str, message: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.scope.has_perm(perm):
        raise PermissionDenied(message)


def user_create(*, actor: User, username: str, display_name: str, password: str, home_area: Area | None = None) -> User:
    """A system administrator opens an account under a node of their subtree; the first login must
    change the initial password. Roles are granted separately, by a security administrator."""
    _require(actor, "accounts.add_user", "只有系统管理员可以创建账号。")
    paths = selectors.admin_paths(actor, "accounts.add_user")
    if home_area is None:
        home_area = Area.objects.filter(path=min(paths, key=len)).first()
    if home_area is None or not any(home_area.path.startswith(p) for p in paths):
        raise PermissionDenied("所属节点不在您的管理范围内，操作被拒绝。")
    username = (username or "").strip()
    user = User(username=username, display_name=(display_name or "").strip(), home_area=home_area)
    user.must_change_password = True
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用。"})
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    with transaction.atomic():
        _set_password(user, password)
        user.save()
        audit_record(actor=actor, action="user_create", obj=user, after=snapshot(user), scope_path=home_area.path)
    return user


SANYUAN_ACTIVE_REFUSAL = f"{SANYUAN_LABEL}账号不能被停用或启用：须先由安全管理员撤销其管理员角色。"


def is_sanyuan(user: User) -> bool:
    """Whether ``user`` holds one of the 三员 roles (system, security or audit administrator)."""
    codes = [code for code, role in ROLES.items() if role.exclusive_group == "sanyuan"]
    return RoleGrant.objects.filter(user_id=user.pk, role__in=codes).exists()


def user_set_active(*, actor: User, user: User, is_active: bool) -> User:
    """Enable or disable an account (等保: remove or disable surplus and expired accounts).

    三员账号互不管理 (docs/permissions.md §5): a 三员 account is never (de)activated here, by anyone.
    To take one out of service the security administrator first revokes its 三员 role; the account is
    then an ordinary one the system administrator may deactivate — two people, both audited. A refusal
    writes nothing but its own audit row (``success=False``), written after the transaction."""
    with transaction.atomic():
        target = selectors.user_restrict(actor, "change").select_for_update(of=("self",)).filter(pk=user.pk).first()
        if target is None:
            raise PermissionDenied("该账号不在您的管理范围内，操作被拒绝。")
        if target.pk == actor.pk:
            raise ValidationError("不能停用或启用自己的账号。")
        refused = is_sanyuan(target)
        if not refused:
            if target.is_active == is_active:
                return target
            before = snapshot(target)
            target.is_active = is_active
            target.save(update_fields=["is_active"])
            audit_record(
                actor=actor,
                action="user_activate" if is_active else "user_deactivate",
                obj=target,
                before=before,
                after=snapshot(target),
                scope_path=selectors.user_scope_path(target),
            )
            return target
    audit_record(
        actor=actor,
        action="user_activate" if is_active else "user_deactivate",
        obj=target,
        success=False,
        detail={"reason": SANYUAN_ACTIVE_REFUSAL},
        scope_path=selectors.user_scope_path(target),
    )
    raise PermissionDenied(SANYUAN_ACTIVE_REFUSAL)


# --- Roles ------------------------------------------------------------------------------------


def role_grant(*, actor: User, user: User, role: str, area: Area) -> RoleGrant:
    """A security administrator grants ``role`` on ``area`` (covering its subtree) to ``user``."""
    if role not in ROLES:
        raise ValidationError({"role": "未知角色。"})
    spec = ROLES[role]
    _require(actor, "accounts.grant_rolegrant", "只有安全管理员可以授予角色。")
    with transaction.atomic():
        # Lock the account: two concurrent grants must not both pass the 三员 check.
        target = selectors.user_restrict(actor, "grant").select_for_update(of=("self",)).filter(pk=user.pk).first()
        area = Area.objects.filter(pk=area.pk).first()
        if target is None or area is None or not actor.scope.covers_path(area.path, "accounts.grant_rolegrant"):
            raise PermissionDenied("授权节点或账号不在您的管理范围内，操作被拒绝。")
        if target.pk == actor.pk:
            raise ValidationError("不能给自己授予角色（三权分立）。")
        held = list(target.grants.all())
        if spec.exclusive_group:
            for g in held:
                other = ROLES[g.role]
                if other.exclusive_group == spec.exclusive_group and g.role != role:
                    raise ValidationError(
                        {
                            "role": f"{SANYUAN_LABEL}互斥：该用户已是{other.label}，"
                            f"不能再授予{spec.label}。请先撤销原角色或改用其他账号。"
                        }
                    )
        # An administrator (三员) account is for administration only: it holds no business role, and a
        # business account is never made an administrator (separation of duties, 等保 2.0 安全管理中心).
        if spec.admin and any(not ROLES[g.role].admin for g in held):
            raise ValidationError({"role": f"{spec.label}账号不能同时担任业务角色，请为其单独开设管理账号。"})
        if not spec.admin and any(ROLES[g.role].admin for g in held):
            raise ValidationError({"role": "管理员（三员）账号不能再授予业务角色，请使用业务账号。"})
        if any(g.role == role and g.area_id == area.pk for g in held):
            raise ValidationError({"role": "该用户在此节点已拥有这一角色。"})
        if role == "resident" and not target.resident_id:
            raise ValidationError({"role": "该账号未关联居民档案，不能授予居民角色。"})
        if role == "party_member" and not target.party_member_id:
            raise ValidationError({"role": "该账号未关联党员档案，不能授予党员角色。"})
        grant = RoleGrant(user=target, role=role, area=area, granted_by=actor)
        grant.full_clean()
        grant.save()
        revoke_api_tokens(target)
        audit_record(
            actor=actor,
            action="role_grant",
            obj=grant,
            after=snapshot(grant),
            detail={"user": target.username, "role": role, "area": area.name},
            scope_path=area.path,
        )
    return grant


def revoke_api_tokens(user: User) -> None:
    """A password or role change ends the account's API tokens, so a token never outlives the
    authority (or the TOTP check) it was issued under."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


def role_revoke(*, actor: User, grant: RoleGrant) -> None:
    _require(actor, "accounts.grant_rolegrant", "只有安全管理员可以撤销角色。")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=grant.user_id).first()
        grant = RoleGrant.objects.select_related("area", "user").filter(pk=grant.pk).first()
        if grant is None or not actor.scope.covers_path(grant.area.path, "accounts.grant_rolegrant"):
            raise PermissionDenied("该授权不在您的管理范围内，操作被拒绝。")
        if grant.user_id == actor.pk:
            raise ValidationError("不能撤销自己的角色（三权分立）。")
        before = snapshot(grant)
        audit_record(
            actor=actor,
            action="role_revoke",
            obj=grant,
            before=before,
            detail={"user": grant.user.username, "role": grant.role, "area": grant.area.name},
            scope_path=grant.area.path,
        )
        grant.delete()
        revoke_api_tokens(grant.user)


# --- TOTP (动态口令) ----------------------------------------------------------------------------


#: 动态口令绑定码: 16 characters of an alphabet without look-alikes (0/O, 1/I/L), shown as XXXX-XXXX-XXXX-XXXX
#: (≈ 79 bits: not guessable, so a digest without salt or stretching is enough, like Open311 keys).
ENROLMENT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENROLMENT_LENGTH = 16


def _enrolment_digest(code: str) -> str:
    text = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(text.encode()).hexdigest()


def _live_codes(user: User):
    return OTPEnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())


def otp_enrolment_code_issue(*, actor: User | None, user: User) -> tuple[str, OTPEnrolmentCode]:
    """Issue a one-time code that lets ``user`` bind their first authenticator; returns (code, row).

    ``actor`` is a security administrator (``accounts.grant_rolegrant`` over the account, never their
    own: 三权分立), or ``None`` for ``manage.py issue_enrolment_code`` on the server (the first security
    administrator). The code is returned once and stored only as a digest; a new code voids the
    account's earlier unused one. Refused for an account that already has a confirmed device (reset it
    first) or is deactivated. Audited (``otp_code_issue``)."""
    if actor is not None:
        _require(actor, "accounts.grant_rolegrant", "只有安全管理员可以签发动态口令绑定码。")
    with transaction.atomic():
        if actor is None:
            target = User.objects.select_for_update().filter(pk=user.pk).first()
        else:
            target = selectors.user_restrict(actor, "grant").select_for_update(of=("self",)).filter(pk=user.pk).first()
            if target is None:
                raise PermissionDenied("该账号不在您的管理范围内，操作被拒绝。")
            if target.pk == actor.pk:
                raise ValidationError(
                    "不能给自己签发绑定码（三权分立）：请由另一位安全管理员签发，或由运维人员在服务器上执行"
                    " manage.py issue_enrolment_code。"
                )
        if target is None:
            raise ValidationError("没有这个账号。")
        if not target.is_active:
            raise ValidationError("该账号已停用，不能签发绑定码。")
        if TOTPDevice.objects.filter(user=target, confirmed=True).exists():
            raise ValidationError("该账号已绑定动态口令；如需更换验证器，请先重置动态口令。")
        now = timezone.now()
        _live_codes(target).update(expires_at=now)  # one live code per account
        code = "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(ENROLMENT_LENGTH))
        row = OTPEnrolmentCode.objects.create(
            user=target,
            code_hash=_enrolment_digest(code),
            issued_by=actor,
            expires_at=now + timedelta(hours=settings.JICENG_OTP_ENROLMENT_CODE_HOURS),
        )
        audit_record(
            actor=actor,
            action="otp_code_issue",
            obj=target,
            detail={"expires_at": row.expires_at.isoformat(), "via": "manage.py" if actor is None else "page"},
            scope_path=selectors.user_scope_path(target),
        )
    return "-".join(code[i : i + 4] for i in range(0, ENROLMENT_LENGTH, 4)), row


def otp_enrolment_start(*, user: User, code: str) -> tuple[OTPEnrolmentCode, TOTPDevice] | None:
    """Step 1 of binding: check the user's enrolment code and give them a **fresh** pending device.

    A secret shown before (to whoever had the password) is dropped with its device: only the holder of
    the code sees the secret that will be confirmed. Audited either way (``otp_code_check``); the code is
    used up only when the device is confirmed (``otp_confirm``)."""
    with transaction.atomic():
        row = _live_codes(user).filter(code_hash=_enrolment_digest(code)).first()
        device = None
        if row is not None and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
        audit_record(
            actor=user,
            action="otp_code_check",
            obj=user,
            success=device is not None,
            scope_path=selectors.user_scope_path(user),
        )
    return (row, device) if device is not None else None


def otp_enrolment_pending(*, user: User, code_id, device_id) -> tuple[OTPEnrolmentCode, TOTPDevice] | None:
    """The code and pending device a session started with ``otp_enrolment_start``, if still valid."""
    try:
        row = _live_codes(user).filter(pk=code_id).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first()
    except (TypeError, ValueError):
        return None
    return (row, device) if row is not None and device is not None else None


def otp_uri(device: TOTPDevice) -> str:
    label = quote(f"{OTP_ISSUER}:{device.user.get_username()}")
    params = urlencode(
        {
            "secret": otp_secret(device),
            "issuer": OTP_ISSUER,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{params}"


def otp_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def otp_confirm(*, user: User, device: TOTPDevice, token: str, code: OTPEnrolmentCode) -> bool:
    """Confirm an enrolment with the first code the authenticator shows; audited either way.

    Needs the enrolment code the session was started with, still unused and unexpired: it is used up
    (``used_at``) in the same transaction that confirms the device, so it binds one device only."""
    with transaction.atomic():
        live = _live_codes(user).select_for_update().filter(pk=code.pk).first()
        ok = live is not None and device.user_id == user.pk and not device.confirmed and device.verify_token(token)
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # One authenticator per account: drop other enrolments.
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            live.used_at = timezone.now()
            live.save(update_fields=["used_at"])
        audit_record(
            actor=user,
            action="otp_enroll",
            obj=user,
            success=ok,
            scope_path=selectors.user_scope_path(user),
        )
    return ok


def otp_reset(*, actor: User, user: User) -> None:
    """A security administrator removes a lost authenticator; the user enrols a new one at next login."""
    _require(actor, "accounts.grant_rolegrant", "只有安全管理员可以重置动态口令。")
    with transaction.atomic():
        target = selectors.user_restrict(actor, "grant").select_for_update(of=("self",)).filter(pk=user.pk).first()
        if target is None:
            raise PermissionDenied("该账号不在您的管理范围内，操作被拒绝。")
        if target.pk == actor.pk:
            raise ValidationError("不能重置自己的动态口令（三权分立）。")
        removed, _ = TOTPDevice.objects.filter(user=target).delete()
        audit_record(
            actor=actor,
            action="otp_reset",
            obj=target,
            detail={"devices_removed": removed},
            scope_path=selectors.user_scope_path(target),
        )


def otp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """Check a code against the user's confirmed device; the matching device, or None. Audited."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    ok = device is not None and device.verify_token(token)
    audit_record(actor=user, action="otp_verify", obj=user, success=ok, scope_path=selectors.user_scope_path(user))
    return device if ok else None
