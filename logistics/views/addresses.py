"""/me/: the account hub and the address book. Every address comes through
selectors.access_address_by_id, so another user's address is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from giftshop import paging
from giftshop.errors import InvalidInput
from giftshop.forms import form_add_domain_error
from giftshop.views import or_404
from logistics.forms import AddressForm
from logistics.selectors import addresses as selectors
from logistics.services import addresses as services

PAGE_SIZE = 20


def _own_address(request, address_id):
    return or_404(selectors.access_address_by_id, user=request.user, address_id=address_id)


@login_required
@require_GET
def address_list(request):
    page = paging.page_of(selectors.address_list(user=request.user), request.GET.get("page"), PAGE_SIZE)
    return render(request, "logistics/address_list.html", {"page": page, "addresses": page.object_list})


@login_required
@require_http_methods(["GET", "POST"])
def address_create(request):
    form = AddressForm(request.POST if request.method == "POST" else None, initial={"country": "CN"})
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(user=request.user, **form.service_fields())
        except InvalidInput as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Address saved."))
            back = request.GET.get("next", "")
            if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
                return redirect(back)  # e.g. back to the buy page that sent us here
            return redirect("logistics:addresses")
    return render(request, "logistics/address_form.html", {"form": form, "address": None})


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request, address_id):
    address = _own_address(request, address_id)
    form = AddressForm(request.POST if request.method == "POST" else None, instance=address)
    if request.method == "POST" and form.is_valid():
        try:
            or_404(services.address_update, address=address, **form.service_fields())
        except InvalidInput as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Address updated."))
            return redirect("logistics:addresses")
    return render(request, "logistics/address_form.html", {"form": form, "address": address})


@login_required
@require_http_methods(["GET", "POST"])
def address_delete(request, address_id):
    address = _own_address(request, address_id)
    if request.method == "POST":
        services.address_delete(address=address)  # gone meanwhile: deleting it again is a no-op
        messages.success(request, _("Address deleted."))
        return redirect("logistics:addresses")
    return render(request, "logistics/address_confirm_delete.html", {"address": address})


@login_required
@require_POST
def address_make_default(request, address_id):
    address = _own_address(request, address_id)
    or_404(services.address_set_default, address=address)
    messages.success(request, _("This is now your default address."))
    return redirect("logistics:addresses")
