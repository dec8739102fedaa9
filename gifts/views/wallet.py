"""Orders & Cards (订单与卡包) at /me/: one page, five tabs (received, sent, orders, addresses,
notices), each a link (?tab=...) to a server-rendered, paginated list.

Every list comes from gifts.selectors.wallet, which decides what each side may see (no price for the
recipient; no address, phone or tracking number for the sender) and keeps the queries flat.
A sender whose friend's parcel missed its ship-by promise asks for that refund with one click from
the "sent" tab (the same service as POST /api/v1/gifts/<id>/refund-request/).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.notices import notices_mark_read
from gifts.selectors.gifts import access_gift_by_id
from gifts.selectors.wallet import TABS, wallet_decorate, wallet_default_tab, wallet_list, wallet_unread_count
from gifts.services.ship_by import claim_refund_not_shipped
from giftshop import paging
from giftshop.errors import DomainError
from giftshop.money import format_money
from giftshop.views import or_404

PAGE_SIZE = 20
TAB_LABELS = {
    "received": gettext_lazy("Gifts received"),
    "sent": gettext_lazy("Gifts sent"),
    "orders": gettext_lazy("Orders"),
    "addresses": gettext_lazy("Addresses"),
    "notices": gettext_lazy("Notices"),
}


@login_required
@require_GET
def home(request):
    tab = request.GET.get("tab", "")
    if tab not in TABS:
        tab = wallet_default_tab(user=request.user)
    page = paging.page_of(wallet_list(user=request.user, tab=tab), request.GET.get("page"), PAGE_SIZE)
    rows = list(page.object_list)
    wallet_decorate(tab=tab, rows=rows)
    context = {
        "tab": tab,
        "page_query": urlencode({"tab": tab}),  # its pages stay on this tab
        "tabs": [(code, TAB_LABELS[code]) for code in TABS],
        "page": page,
        "rows": rows,
        "unread": wallet_unread_count(user=request.user),
    }
    return render(request, "wallet/home.html", context)


@login_required
@require_POST
def notices_read(request):
    marked = notices_mark_read(user=request.user)
    if marked:
        messages.success(request, _("All notices are marked as read."))
    else:
        messages.info(request, _("There was nothing new to mark as read."))
    return redirect(f"{reverse('wallet:home')}?tab=notices")


@login_required
@require_POST
def refund_not_shipped(request, gift_id):
    """One click: refund a friend's claim whose parcel the store did not ship by its promised time."""
    gift = or_404(access_gift_by_id, user=request.user, gift_id=gift_id)
    wanted = request.POST.get("claim_id", "")
    claim_id = int(wanted) if wanted.isascii() and wanted.isdigit() and len(wanted) <= 18 else None
    try:
        refund = claim_refund_not_shipped(gift=gift, claim_id=claim_id, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        amount = format_money(refund.amount_minor, gift.order.currency)
        messages.success(request, _("%(amount)s is being refunded to your payment.") % {"amount": amount})
    return redirect(f"{reverse('wallet:home')}?tab=sent#gift-{gift.id}")
