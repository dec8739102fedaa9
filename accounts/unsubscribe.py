"""The one-click unsubscribe behind every notice email (accounts.mail): no login needed.

GET shows what the link does and a button; POST switches email notices off. A mail client that
supports RFC 8058 POSTs `List-Unsubscribe=One-Click` to the same address without showing the page,
so the POST needs no CSRF token (the signed token in the path is the credential). A forged or broken
token is a 404 page."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.mail import unsubscribe_user
from accounts.services import user_set_email_notices


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user = unsubscribe_user(token)
    if user is None:
        raise Http404
    done = request.method == "POST"
    if done:
        user_set_email_notices(user=user, enabled=False)
    response = render(request, "accounts/unsubscribe.html", {"done": done, "token": token})
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    return response
