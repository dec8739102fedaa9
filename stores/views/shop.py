"""Public shop pages: home, a store, a product. The product page's "Buy" goes to orders:buy and
"Send as a gift" to the gift composer (/gifts/new/), both with ?variant=<id>."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from giftshop import page_cache, paging
from giftshop.views import or_404
from stores import selectors
from stores.forms import SearchForm

PAGE_SIZE = 20
HOME_STORES = 12


def _page(request, queryset):
    return paging.page_of(queryset, request.GET.get("page"), PAGE_SIZE)


def _public_product(store_slug, product_id):
    """The active product of an active store at this address, or 404."""
    product = or_404(selectors.product_get_public, product_id=product_id)
    if product.store.slug != store_slug:
        raise Http404
    return product


def _chosen_variant(request, product):
    """The variant in ?variant=, if it belongs to the product; else the first in stock, else the first."""
    variants = list(product.variants.all())
    wanted = request.GET.get("variant", "")
    for variant in variants:
        if str(variant.id) == wanted:
            return variant
    return next((v for v in variants if v.in_stock), variants[0] if variants else None)


@require_GET
def home(request):
    search = SearchForm(request.GET)
    q = search.query()
    stores = selectors.store_list_public().order_by("name", "id")
    if q:
        stores = stores.filter(Q(name__icontains=q) | Q(description__icontains=q))
    products = selectors.product_list_public(q=q or None).order_by("-created_at", "-id")
    return render(
        request,
        "stores/home.html",
        {"search": search, "q": q, "stores": stores[:HOME_STORES], "page": _page(request, products)},
    )


@require_GET
def store(request, slug):
    shop = or_404(selectors.store_get_public, slug=slug)
    search = SearchForm(request.GET)
    q = search.query()
    products = selectors.product_list_public(store=shop, q=q or None).order_by("-created_at", "-id")
    return render(
        request, "stores/store.html", {"store": shop, "search": search, "q": q, "page": _page(request, products)}
    )


@require_GET
@page_cache.anonymous
def product(request, store_slug, product_id):
    item = _public_product(store_slug, product_id)
    variants = list(item.variants.all())
    page_cache.depends_on(request, store=item.store_id)
    return render(
        request,
        "stores/product.html",
        {
            "store": item.store,
            "product": item,
            "images": list(item.images.all()),
            "variants": variants,
            "chosen": _chosen_variant(request, item),
            "any_in_stock": any(v.in_stock for v in variants),
            **page_cache.render_context(request),
        },
    )
