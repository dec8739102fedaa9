"""The merchant console's shipping pages, mounted at /merchant/ beside the store console: the store's
"to ship" queue (filters, counts, a selection to print or export), one shipment (address, gift card
to print, tracking timeline, dispatch), packing slips (one, or the selected ones), the dispatch
sheet (CSV) and the bulk dispatch upload.

Views are thin: the store comes through stores.selectors.access_store_by_slug and shipments through
the shipment selectors' access helpers, so what is not yours is a 404 (for POSTs too, before any
input is read); each change is one service call (tracking.shipment_dispatch, bulk_dispatch).
"""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from giftshop import paging
from giftshop.errors import DomainError
from giftshop.forms import form_add_domain_error
from giftshop.views import or_404
from logistics.carriers import carrier_name
from logistics.errors import ShipmentNotPending
from logistics.forms import DispatchFileForm, DispatchForm
from logistics.models import Shipment
from logistics.selectors import shipments as selectors
from logistics.services.bulk_dispatch import MAX_ROWS, bulk_dispatch
from logistics.services.tracking import shipment_dispatch
from stores.selectors import access_store_by_slug

PAGE_SIZE = 20


def _store(request, slug):
    return or_404(access_store_by_slug, user=request.user, slug=slug)


def _shipment(request, shipment_id) -> Shipment:
    return or_404(selectors.access_shipment_for_member, user=request.user, shipment_id=shipment_id)


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


def _filter_links(counts, status, kind):
    """The two rows of filter links, each with its count; a link keeps the other filter."""
    status_labels = {
        "pending": _("To ship"), "overdue": _("Overdue"), "dispatched": _("Dispatched"), "all": _("All"),
    }
    kind_labels = {"gift": _("Gifts"), "purchase": _("Purchases")}
    status_links = [
        {"label": status_labels[s], "count": selectors.count_label(counts, s), "query": _query(status=s, kind=kind),
         "current": s == status}
        for s in selectors.QUEUE_STATUSES
    ]
    kind_links = [
        {"label": kind_labels[k], "count": selectors.count_label(counts, f"{status}_{k}"),
         "query": _query(status=status, kind=k),
         "current": k == kind}
        for k in selectors.QUEUE_KINDS
    ]
    kind_links.append({"label": _("Both"), "count": selectors.count_label(counts, status),
                       "query": _query(status=status), "current": not kind})
    return status_links, kind_links


@login_required
@require_GET
def queue(request, slug):
    store = _store(request, slug)
    status, kind = _filters(request)
    shipments = selectors.shipment_list_for_store(store=store, status=status, kind=kind or None)
    page = paging.page_of(shipments, request.GET.get("page"), PAGE_SIZE)
    counts = selectors.shipment_counts_for_store(store=store)
    status_links, kind_links = _filter_links(counts, status, kind)
    return render(
        request,
        "shipping/queue.html",
        {
            "store": store,
            "page": page,
            "counts": counts,
            "status": status,
            "kind": kind,
            "status_links": status_links,
            "kind_links": kind_links,
            "page_query": _query(status=status, kind=kind),  # the page number starts again
            "upload_form": DispatchFileForm(),
        },
    )


def _detail_page(request, shipment, form, status=200):
    return render(
        request,
        "shipping/detail.html",
        {
            "store": shipment.store,
            "shipment": shipment,
            "events": list(shipment.events.all()),
            "form": form,
            "can_dispatch": shipment.status == Shipment.Status.PENDING,
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, shipment_id):
    shipment = _shipment(request, shipment_id)
    return _detail_page(request, shipment, DispatchForm())


@login_required
@require_POST
def dispatch(request, shipment_id):
    shipment = _shipment(request, shipment_id)
    form = DispatchForm(request.POST)
    if form.is_valid():
        try:
            shipment_dispatch(shipment=shipment, **form.cleaned_data, actor=request.user)
        except ShipmentNotPending as exc:
            messages.error(request, exc.detail)
            return redirect("shipping:detail", shipment_id=shipment.id)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Parcel %(reference)s dispatched: %(carrier)s %(tracking)s. Its tracking appears here as the carrier "
                  "reports it.") % {"reference": shipment.reference, "carrier": carrier_name(shipment.carrier),
                                    "tracking": shipment.tracking_number},
            )
            return redirect("shipping:detail", shipment_id=shipment.id)
    return _detail_page(request, shipment, form, status=400)


@login_required
@require_GET
def slip(request, shipment_id):
    shipment = _shipment(request, shipment_id)
    return render(request, "shipping/slips.html", {"store": shipment.store, "shipments": [shipment]})


def _selected(request, store):
    """The shipments ticked on the queue (?ids=1,2,3 or ?ids=1&ids=2); None when none is."""
    ids = [value for value in request.GET.getlist("ids") if value.strip(", ")]
    if not ids:
        return None
    return or_404(selectors.shipments_selected_for_store, store=store, ids=ids)


@login_required
@require_GET
def slips(request, slug):
    store = _store(request, slug)
    shipments = _selected(request, store)
    if shipments is None:
        messages.warning(request, _("Tick the parcels whose packing slips you want to print first."))
        return redirect("shipping:queue", slug=store.slug)
    return render(request, "shipping/slips.html", {"store": store, "shipments": shipments})


def _sheet_cell(value) -> str:
    # A cell a spreadsheet would run as a formula is written as text.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_GET
def dispatch_sheet(request, slug):
    """A CSV to fill in and upload again: the ticked parcels, or every parcel still to ship."""
    store = _store(request, slug)
    shipments = _selected(request, store)
    if shipments is None:
        shipments = selectors.shipment_list_for_store(store=store, status="pending")[:MAX_ROWS]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dispatch-{store.slug}.csv"'
    response.write("\ufeff")  # so spreadsheets open it as UTF-8
    writer = csv.writer(response)
    writer.writerow(["reference", "carrier", "tracking_number", "ship_to", "city", "items"])
    for shipment in shipments:
        items = "; ".join(f"{line['product_title']} / {line['variant_name']} x {line['quantity']}"
                          for line in shipment.lines)
        writer.writerow([_sheet_cell(v) for v in (
            shipment.reference, shipment.carrier, shipment.tracking_number, shipment.ship_to_name,
            shipment.ship_to_city, items,
        )])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def bulk_upload(request, slug):
    store = _store(request, slug)
    form = DispatchFileForm(request.POST, request.FILES) if request.method == "POST" else DispatchFileForm()
    outcomes = None
    if request.method == "POST" and form.is_valid():
        try:
            outcomes = bulk_dispatch(store=store, data=form.data_bytes(), actor=request.user)
        except DomainError as exc:
            form_add_domain_error(form, exc)
    if outcomes is None:
        return render(request, "shipping/bulk_upload.html", {"store": store, "form": form},
                      status=400 if request.method == "POST" else 200)
    done = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    if done:
        messages.success(
            request, ngettext("%(count)s parcel dispatched.", "%(count)s parcels dispatched.", len(done))
            % {"count": len(done)},
        )
    if failed:
        messages.error(
            request,
            ngettext("%(count)s row was not applied: see why below, fix it and upload that row again.",
                     "%(count)s rows were not applied: see why below, fix them and upload those rows again.",
                     len(failed)) % {"count": len(failed)},
        )
    return render(
        request,
        "shipping/bulk_result.html",
        {"store": store, "outcomes": outcomes, "done": done, "failed": failed, "form": DispatchFileForm()},
    )
