"""The merchant console's shipping pages, mounted at /merchant/ beside the store console:
the store's "to ship" queue and one shipment's packing slip (address, lines, gift note; no prices).

Views are thin: the store comes through stores.selectors.access_store_by_slug and the shipment
through access_shipment_for_member, so what is not yours is a 404.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from giftshop.errors import NotFound
from logistics import shipment_selectors as selectors
from stores.selectors import access_store_by_slug

PAGE_SIZE = 20


def _filters(request):
    """The queue's filters from the query string; anything unknown falls back to the default."""
    status = request.GET.get("status", "pending")
    kind = request.GET.get("kind", "")
    return (
        status if status in selectors.QUEUE_STATUSES else "pending",
        kind if kind in selectors.QUEUE_KINDS else "",
    )


def _query(**params):
    return urlencode({k: v for k, v in params.items() if v})


@login_required
@require_GET
def queue(request, slug):
    try:
        store = access_store_by_slug(user=request.user, slug=slug)
    except NotFound:
        raise Http404 from None
    status, kind = _filters(request)
    shipments = selectors.shipment_list_for_store(store=store, status=status, kind=kind or None)
    page = Paginator(shipments, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.shipment_counts_for_store(store=store)
    return render(
        request,
        "shipping/queue.html",
        {
            "store": store,
            "page": page,
            "counts": counts,
            "status": status,
            "kind": kind,
            # Links keep the other filter; the page number starts again.
            "status_links": {s: _query(status=s, kind=kind) for s in selectors.QUEUE_STATUSES},
            "kind_links": {k: _query(status=status, kind=k) for k in selectors.QUEUE_KINDS},
            "both_link": _query(status=status),
            "page_query": _query(status=status, kind=kind),
        },
    )


@login_required
@require_GET
def detail(request, shipment_id):
    try:
        shipment = selectors.access_shipment_for_member(user=request.user, shipment_id=shipment_id)
    except NotFound:
        raise Http404 from None
    return render(request, "shipping/detail.html", {"store": shipment.store, "shipment": shipment})
