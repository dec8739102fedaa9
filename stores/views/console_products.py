"""Merchant console: products, their variants and photos.

Every object comes through a stores.selectors.access_* helper (another store's object is a 404,
for POSTs too, before any input is read); every change goes through one stores.services call.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from giftshop.errors import DomainError
from giftshop.forms import form_add_domain_error
from giftshop.views import or_404
from stores import selectors, services
from stores.forms import ProductCreateForm, ProductForm, VariantForm, price_to_major
from stores.views.console import access_store

MAX_FILES_PER_UPLOAD = 20


def _product_url(product, anchor=""):
    return reverse("console:product", kwargs={"product_id": product.id}) + anchor


def _product_page(request, product, *, form=None, variant_form=None):
    initial = {f: getattr(product, f) for f in services.PRODUCT_FIELDS}
    return render(
        request,
        "console/product.html",
        {
            "store": product.store,
            "product": product,
            "form": form or ProductForm(initial=initial),
            "variant_form": variant_form or VariantForm(),
            "variants": list(product.variants.all()),
            "images": list(product.images.all()),
            "max_files": MAX_FILES_PER_UPLOAD,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request, slug):
    store = access_store(request, slug)
    form = ProductCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(store=store, actor=request.user, **form.product_kwargs())
        except DomainError as exc:
            form_add_domain_error(form, exc, ProductCreateForm.FIELD_MAP)
        else:
            messages.success(request, _("Product “%(title)s” created. Now add its photos.") % {"title": product.title})
            return redirect(_product_url(product))
    return render(request, "console/product_create.html", {"store": store, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def product(request, product_id):
    item = or_404(selectors.access_product_by_id, user=request.user, product_id=product_id)
    if request.method == "GET":
        return _product_page(request, item)
    form = ProductForm(request.POST)
    if form.is_valid():
        try:
            services.product_update(product=item, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
            item.refresh_from_db()
        else:
            messages.success(request, _("Product saved."))
            return redirect(_product_url(item))
    return _product_page(request, item, form=form)


@login_required
@require_POST
def variant_create(request, product_id):
    item = or_404(selectors.access_product_by_id, user=request.user, product_id=product_id)
    form = VariantForm(request.POST)
    if form.is_valid():
        try:
            variant = services.variant_create(product=item, actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            form_add_domain_error(form, exc, VariantForm.FIELD_MAP)
        else:
            messages.success(request, _("Variant “%(name)s” added.") % {"name": variant.name})
            return redirect(_product_url(item, "#variants"))
    return _product_page(request, item, variant_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def variant(request, variant_id):
    item = or_404(selectors.access_variant_by_id, user=request.user, variant_id=variant_id)
    initial = {"name": item.name, "sku": item.sku, "price": price_to_major(item.price_minor, item.currency),
               "stock": item.stock, "stock_seen": item.stock}
    form = VariantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.variant_update(variant=item, actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            form_add_domain_error(form, exc, VariantForm.FIELD_MAP)
            item.refresh_from_db()
        else:
            messages.success(request, _("Variant saved."))
            return redirect(_product_url(item.product, "#variants"))
    return render(
        request,
        "console/variant.html",
        {"store": item.product.store, "product": item.product, "variant": item, "form": form},
    )


@login_required
@require_POST
def variant_delete(request, variant_id):
    item = or_404(selectors.access_variant_by_id, user=request.user, variant_id=variant_id)
    try:
        services.variant_delete(variant=item, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("console:variant", variant_id=item.id)
    messages.success(request, _("Variant “%(name)s” deleted.") % {"name": item.name})
    return redirect(_product_url(item.product, "#variants"))


@login_required
@require_POST
def photo_upload(request, product_id):
    item = or_404(selectors.access_product_by_id, user=request.user, product_id=product_id)
    files = request.FILES.getlist("photos")
    if not files:
        messages.error(request, _("Choose one or more photos to upload."))
        return redirect(_product_url(item, "#photos"))
    if len(files) > MAX_FILES_PER_UPLOAD:
        messages.error(request, _("Upload at most %(n)d photos at a time.") % {"n": MAX_FILES_PER_UPLOAD})
        return redirect(_product_url(item, "#photos"))
    added = 0
    for upload in files:
        try:
            services.product_image_add(product=item, actor=request.user, upload=upload)
        except DomainError as exc:
            # One message per refused file; the others are kept.
            messages.error(request, _("%(file)s: %(reason)s") % {"file": upload.name, "reason": exc.detail})
        else:
            added += 1
    if added:
        messages.success(
            request, ngettext("%(n)d photo added.", "%(n)d photos added.", added) % {"n": added}
        )
    return redirect(_product_url(item, "#photos"))


@login_required
@require_POST
def photo_move(request, image_id):
    image = or_404(selectors.access_image_by_id, user=request.user, image_id=image_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if offset is None:
        messages.error(request, _("Choose to move the photo up or down."))
    else:
        try:
            services.product_image_move(image=image, actor=request.user, offset=offset)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Photo moved."))
    return redirect(_product_url(image.product, "#photos"))


@login_required
@require_POST
def photo_delete(request, image_id):
    image = or_404(selectors.access_image_by_id, user=request.user, image_id=image_id)
    product = image.product
    try:
        services.product_image_delete(image=image, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Photo deleted."))
    return redirect(_product_url(product, "#photos"))
