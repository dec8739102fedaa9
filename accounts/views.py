"""Account pages: sign-up, login, logout, password reset and change, profile. Thin: forms parse,
accounts.services decides."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import LoginForm, OutboxPasswordResetForm, ProfileForm, SignupForm
from accounts.services import (
    LOGIN_GROUP,
    LOGIN_USERNAME_GROUP,
    REGISTER_GROUP,
    login_rate,
    register_rate,
    user_register,
    user_set_email_notices,
    user_update_profile,
    username_key,
)
from giftshop.errors import InvalidInput
from giftshop.forms import form_add_domain_error
from giftshop.ratelimits import ratelimit


def _safe_next(request) -> str:
    """The ?next= (or posted next) target if it is on this site, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _next_url(request):
    """The ?next= (or posted next) target if it is on this site, else the default after login."""
    return _safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
@ratelimit(group=REGISTER_GROUP, key="ip", rate=register_rate, method="POST")
def signup(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_register(
                username=data["username"],
                password=data["password1"],
                email=data["email"],
                display_name=data["display_name"],
            )
        except InvalidInput as exc:
            form_add_domain_error(form, exc, {"password": "password1"})  # nosec B105: form field names, not a password
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(name)s! Your account is ready.") % {"name": user.public_name})
            return redirect(_next_url(request))
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request)})


@method_decorator(ratelimit(group=LOGIN_GROUP, key="ip", rate=login_rate, method="POST"), name="post")
@method_decorator(ratelimit(group=LOGIN_USERNAME_GROUP, key=username_key, rate=login_rate, method="POST"), name="post")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""


@method_decorator(ratelimit(group="accounts.password_reset", key="ip", rate=login_rate, method="POST"), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset_body.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Links in the mail point at the public site address, not at whatever Host the request named.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password; an account made on a gift card (a sign-in link, no password yet) sets
    its first one without being asked for an old one."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def get_form_class(self):
        return self.form_class if self.request.user.has_usable_password() else SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(
        data, initial={"display_name": request.user.display_name, "email_notices": request.user.email_notices}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_update_profile(user=request.user, display_name=form.cleaned_data["display_name"])
            user_set_email_notices(user=request.user, enabled=form.cleaned_data["email_notices"])
        except InvalidInput as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
