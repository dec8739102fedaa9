"""Sign-in link pages (accounts.signin_links holds the rules).

- POST /accounts/signin/link/ asks for a link (from the card, or the login page): the same answer
  whether or not an account uses the address, then back to where the person was.
- /accounts/signin/<token>/: GET shows whom the link signs in, with a button (mail scanners and
  link previews open links; a GET signs nobody in and uses nothing up); POST signs in and goes on
  to the page the link names (the gift's card, Orders & Cards).

The token is a credential in the path: every answer here is a 200 or a redirect, so Django never
logs the path, and none is cached or sent on as a referrer.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import SigninLinkForm
from accounts.services import signin_links_limited
from accounts.signin_links import safe_next_path, signin_link_check, signin_links_request
from giftshop.errors import InvalidInput


def _private(response):
    response["Cache-Control"] = "no-store, private"
    # Not "no-referrer": the page's own POST would then send "Origin: null" and fail CSRF.
    response["Referrer-Policy"] = "strict-origin"
    return response


@require_POST
def signin_link_ask(request):
    next_path = safe_next_path(request.POST.get("next")) or reverse("wallet:home")
    form = SigninLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter your email address or mobile number to get a sign-in link."))
        return redirect(next_path)
    contact = form.cleaned_data["contact"]
    if signin_links_limited(request=request, contact=contact):
        messages.error(request, _("Too many sign-in links were asked for. Please try again in an hour."))
        return redirect(next_path)
    try:
        signin_links_request(contact=contact, next_path=next_path)
    except InvalidInput as exc:
        messages.error(request, exc.detail)
        return redirect(next_path)
    messages.success(request, _(
        "If an account uses %(contact)s, a sign-in link is on its way there. It works once.") % {"contact": contact})
    return redirect(next_path)


@require_http_methods(["GET", "HEAD", "POST"])
def signin_link(request, token):
    link = signin_link_check(token)
    if link is None:
        return _private(render(request, "accounts/signin_link.html", {"link": None}))
    if request.method == "POST":
        login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("You are signed in."))
        return _private(redirect(link.next_path or reverse("wallet:home")))
    return _private(render(request, "accounts/signin_link.html", {"link": link}))
