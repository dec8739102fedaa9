"""Merchant console: a store's webhook endpoints, their settings, secret and delivery log.

The same rule as the API (stores.apis.merchant_webhooks): owners only; the store's staff get 403,
anyone else 404. Views are thin: parse a form, call one stores.webhooks service, show its
DomainError on the form or as a message.

A signing secret is shown once, in the answer to the POST that made it (a new endpoint, a
rotation), never kept in the session, a message or a URL, and that answer is never cached: after
it, nobody sees the secret again in the console.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from giftshop.errors import DomainError
from giftshop.forms import form_add_domain_error
from giftshop.views import or_403_404
from stores.forms import WebhookEndpointCreateForm, WebhookEndpointSettingsForm
from stores.models import WebhookDelivery
from stores.views.console import access_store, page_of
from stores.webhooks import selectors, services


def _owner_only(request, fn, **kwargs):
    """An endpoint or delivery by the selectors' rule: 404 when not a member, 403 for staff."""
    return or_403_404(fn, actor=request.user, **kwargs)


def _secret_page(request, endpoint, *, rotated):
    response = render(request, "console/webhook_secret.html",
                      {"store": endpoint.store, "endpoint": endpoint, "rotated": rotated})
    add_never_cache_headers(response)  # no Back button, proxy or browser cache shows the secret again
    return response


def _status_filter(request) -> str:
    status = request.GET.get("status") or request.POST.get("status") or ""
    return status if status in WebhookDelivery.Status.values else ""


def _endpoint_url(endpoint_id, status="") -> str:
    url = reverse("console:webhook", kwargs={"endpoint_id": endpoint_id})
    return f"{url}?{urlencode({'status': status})}" if status else url


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request, slug):
    shop = access_store(request, slug, owner=True)
    form = WebhookEndpointCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(store=shop, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            return _secret_page(request, endpoint, rotated=False)
    # At most MAX_ENDPOINTS_PER_STORE: one short list, no pages.
    endpoints = list(selectors.endpoint_list(store=shop, actor=request.user))
    return render(request, "console/webhooks.html", {"store": shop, "endpoints": endpoints, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def webhook(request, endpoint_id):
    endpoint = _owner_only(request, selectors.endpoint_for_owner, endpoint_id=endpoint_id)
    initial = {"events": endpoint.events, "description": endpoint.description, "is_active": endpoint.is_active}
    form = WebhookEndpointSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
            endpoint.refresh_from_db()
        else:
            messages.success(request, _("Endpoint settings saved."))
            return redirect("console:webhook", endpoint_id=endpoint.id)
    status = _status_filter(request)
    page = page_of(request, selectors.delivery_log(endpoint=endpoint, status=status or None))
    status_links = [
        {"label": _("All"), "query": "", "current": not status},
        *({"label": label, "query": urlencode({"status": value}), "current": value == status}
          for value, label in WebhookDelivery.Status.choices),
    ]
    return render(
        request,
        "console/webhook.html",
        {
            "store": endpoint.store,
            "endpoint": endpoint,
            "form": form,
            "page": page,
            "status": status,
            "status_links": status_links,
            "page_query": urlencode({"status": status}) if status else "",
        },
    )


@login_required
@require_POST
def webhook_rotate(request, endpoint_id):
    endpoint = _owner_only(request, selectors.endpoint_for_owner, endpoint_id=endpoint_id)
    try:
        endpoint = services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("console:webhook", endpoint_id=endpoint.id)
    return _secret_page(request, endpoint, rotated=True)


@login_required
@require_POST
def webhook_delete(request, endpoint_id):
    endpoint = _owner_only(request, selectors.endpoint_for_owner, endpoint_id=endpoint_id)
    shop, url = endpoint.store, endpoint.url
    try:
        services.webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("console:webhook", endpoint_id=endpoint_id)
    messages.success(request, _("The endpoint %(url)s was removed; it hears nothing more.") % {"url": url})
    return redirect("console:webhooks", slug=shop.slug)


@login_required
@require_POST
def webhook_delivery_resend(request, delivery_id):
    delivery = _owner_only(request, selectors.delivery_for_owner, delivery_id=delivery_id)
    try:
        services.webhook_delivery_resend(delivery=delivery, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The %(event)s event will be sent again in a moment.") % {
            "event": delivery.event_type})
    return redirect(_endpoint_url(delivery.endpoint_id, _status_filter(request)))
