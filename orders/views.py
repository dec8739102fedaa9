"""Pages: the sandbox provider's hosted checkout (it stands in for Stripe's or WeChat's page)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from orders.models import SandboxCharge
from orders.payments.sandbox import WEBHOOK_MODES, sandbox_charge_complete


@require_http_methods(["GET", "POST"])
def sandbox_checkout(request, ref):
    if not settings.SANDBOX_PAYMENTS_ENABLED:
        raise Http404
    charge = get_object_or_404(SandboxCharge, ref=ref)
    if request.method == "POST":
        outcome = request.POST.get("outcome")
        mode = request.POST.get("webhook_mode") or None
        if outcome in ("succeeded", "failed") and (mode is None or mode in WEBHOOK_MODES):
            sandbox_charge_complete(ref=charge.ref, outcome=outcome, webhook_mode=mode)
            return redirect(charge.return_url or "/")
    return render(request, "orders/sandbox_checkout.html", {"charge": charge, "webhook_modes": WEBHOOK_MODES})
