"""``POST /api/v1/auth/token/``: exchange a password (and, for administrators, a TOTP code) for a token.

The password goes through ``django.contrib.auth.authenticate`` with the real request, so django-axes
counts failures and locks the account exactly as the login page does (5 failures → 15 minutes), and
the accounts app's signal writes the failed-login audit row. Administrator roles (the 三员 and whoever
can grant roles) must also present a code from their confirmed TOTP device (等保 2.0 双因子).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.audit.services import audit_record

BAD_CREDENTIALS = "用户名或密码错误。"
LOCKED = "登录失败次数过多，账号已被锁定，请 15 分钟后再试或联系安全管理员。"
OTP_REQUIRED = "管理员账号须提供动态口令（otp_token）。"
OTP_INVALID = "动态口令错误或已过期。"
PASSWORD_CHANGE_REQUIRED = "密码须修改或已过期，请先登录网页修改密码。"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=150)
    password = serializers.CharField(
        label="密码", max_length=128, style={"input_type": "password"}, trim_whitespace=False
    )
    otp_token = serializers.RegexField(
        r"^\d{6,8}$", label="动态口令", required=False, help_text="管理员角色必填：TOTP 验证器上的 6 位数字。"
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(label="令牌", help_text="之后的请求带上请求头 Authorization: Token <令牌>。")


_detail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})


def _scope_path(user) -> str:
    paths = [g.area_path for g in user.scope.grants]
    return min(paths, key=len) if paths else ""


def _otp_verified(user, otp_token: str | None) -> bool:
    if not otp_token:
        return False
    return any(device.verify_token(otp_token) for device in TOTPDevice.objects.filter(user=user, confirmed=True))


class ObtainTokenView(APIView):
    """获取接口令牌。"""

    authentication_classes: list = []  # no session: a token request needs no CSRF token and sets no cookie
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        summary="获取接口令牌",
        description="用用户名和密码（管理员另加动态口令）换取令牌。连续 5 次失败锁定账号 15 分钟。",
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(_detail, description="用户名或密码错误，或缺少 / 错误的动态口令"),
            403: OpenApiResponse(_detail, description="账号已锁定，或须先修改密码"),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        django_request = request._request
        user = authenticate(request=django_request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                # Answer the lockout here, as JSON; otherwise AxesMiddleware would swap in the HTML page.
                django_request.axes_locked_out = False
                return Response({"detail": LOCKED}, status=status.HTTP_403_FORBIDDEN)
            return Response({"detail": BAD_CREDENTIALS}, status=status.HTTP_400_BAD_REQUEST)

        if user.is_admin_role and not (settings.DEBUG and settings.JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP):
            if not _otp_verified(user, data.get("otp_token")):
                message = OTP_INVALID if data.get("otp_token") else OTP_REQUIRED
                audit_record(
                    actor=user,
                    action="api_token",
                    obj=user,
                    success=False,
                    detail={"reason": message},
                    scope_path=_scope_path(user),
                )
                return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)

        if user.must_change_password or user.password_expired:
            return Response({"detail": PASSWORD_CHANGE_REQUIRED}, status=status.HTTP_403_FORBIDDEN)

        # A token issue is a login: axes resets the failure count, last_login moves, the login is audited.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        token, created = Token.objects.get_or_create(user=user)
        audit_record(
            actor=user, action="api_token", obj=user, detail={"new_token": created}, scope_path=_scope_path(user)
        )
        return Response({"token": token.key})
