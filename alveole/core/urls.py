from django.contrib.auth import views as auth_views
from django.urls import path

from alveole.core import twofactor, views
from alveole.core.forms import EmailAuthenticationForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/2fa/", twofactor.status, name="two_factor"),
    path("account/2fa/setup/", twofactor.setup, name="two_factor_setup"),
    path("account/2fa/verify/", twofactor.verify, name="two_factor_verify"),
    path("account/2fa/disable/", twofactor.disable, name="two_factor_disable"),
    path("health/", views.health, name="health"),
    path("import/", views.import_page, name="imports"),
]
