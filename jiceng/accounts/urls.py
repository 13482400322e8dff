from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("otp/", views.OTPView.as_view(), name="otp"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/add/", views.UserCreateView.as_view(), name="user_add"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/active/", views.UserSetActiveView.as_view(), name="user_set_active"),
    path("users/<int:pk>/grant/", views.RoleGrantView.as_view(), name="role_grant"),
    path("users/<int:pk>/otp-reset/", views.OTPResetView.as_view(), name="otp_reset"),
    path("users/<int:pk>/enrolment-code/", views.EnrolmentCodeIssueView.as_view(), name="enrolment_code"),
    path("grants/<int:pk>/revoke/", views.RoleRevokeView.as_view(), name="role_revoke"),
]
