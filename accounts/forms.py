"""Forms of the account pages. They parse input; the rules live in accounts.services."""

import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import MAX_PASSWORD_LENGTH, user_authenticate
from giftshop.outbox import outbox_put

EMAIL_TOPIC = "accounts.email"


class SignupForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only. You sign in with it; others see your display name."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=50,
        required=False,
        help_text=_("What friends see on the gifts you send and accept."),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        required=False,
        help_text=_("Optional; needed to reset a forgotten password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's login form, with case-insensitive usernames (see services.user_authenticate)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = user_authenticate(request=self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=User._meta.get_field("display_name").max_length,
        required=False,
        help_text=_("What friends see on the gifts you send and accept. Empty: your username."),
    )
    email_notices = forms.BooleanField(
        label=_("Email me my notices"), required=False,
        help_text=_("Claims, thank-you notes, parcels and refunds, as on your Notices tab."),
    )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, except that the mail is written to the transactional outbox; the
    accounts.email consumer sends it after the commit, with retries."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox_put(
            topic=EMAIL_TOPIC,
            key=f"email:reset:{uuid.uuid4()}",
            payload={"to": [to_email], "subject": subject, "body": body, "from": from_email},
        )


class SigninLinkForm(forms.Form):
    """"Email me a sign-in link": accounts.signin_links decides whether anyone gets one."""

    contact = forms.CharField(
        label=_("Your email or mobile number"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
    )
