"""Merchant console: my stores, opening a store, the store dashboard, settings and team.

Views are thin: parse a form, call one service, show its DomainError on the form or as a message.
Objects come only through the access_* selectors; NotFound (not yours) becomes a 404, and the
owners-only rule (stores.selectors.ensure_store_owner) a 403, exactly as in the API.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from giftshop import paging
from giftshop.errors import DomainError
from giftshop.forms import form_add_domain_error
from giftshop.views import or_403_404
from stores import selectors, services
from stores.forms import StoreCreateForm, StoreSettingsForm, TeamAddForm

PAGE_SIZE = 20


def page_of(request, queryset):
    return paging.page_of(queryset, request.GET.get("page"), PAGE_SIZE)


def access_store(request, slug, *, owner=False):
    """The store by the selectors' access rule: 404 when not a member, 403 for staff on an owners'
    page (the same answers as the API's)."""
    return or_403_404(selectors.access_store_by_slug, user=request.user, slug=slug, owner=owner)


@login_required
@require_http_methods(["GET"])
def home(request):
    stores = selectors.store_list_for_member(user=request.user).order_by("name", "id")
    return render(request, "console/home.html", {"page": page_of(request, stores)})


@login_required
@require_http_methods(["GET", "POST"])
def store_create(request):
    form = StoreCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            store = services.store_create(owner=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Your store “%(name)s” is open.") % {"name": store.name})
            return redirect("console:store", slug=store.slug)
    return render(request, "console/store_create.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def store(request, slug):
    shop = access_store(request, slug)
    products = selectors.product_list_for_store(store=shop)
    return render(
        request,
        "console/store.html",
        {
            "store": shop,
            "role": selectors.member_role(store=shop, user=request.user),
            "page": page_of(request, products),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def store_settings(request, slug):
    shop = access_store(request, slug, owner=True)
    initial = {f: getattr(shop, f) for f in services.STORE_FIELDS}
    form = StoreSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.store_update(store=shop, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
            shop.refresh_from_db()
        else:
            messages.success(request, _("Store settings saved."))
            return redirect("console:store_settings", slug=shop.slug)
    return render(request, "console/store_settings.html", {"store": shop, "form": form})


def _team_page(request, shop, form):
    # "owner" sorts before "staff": owners first, then by arrival.
    members = list(shop.members.select_related("user").order_by("role", "created_at", "id"))
    return render(request, "console/team.html", {"store": shop, "members": members, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def team(request, slug):
    shop = access_store(request, slug, owner=True)
    form = TeamAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.store_member_add(
                store=shop, actor=request.user, username=form.cleaned_data["username"], role=form.cleaned_data["role"]
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s joined the team as %(role)s.")
                % {"name": member.user.username, "role": member.get_role_display()},
            )
            return redirect("console:team", slug=shop.slug)
    return _team_page(request, shop, form)


@login_required
@require_POST
def team_remove(request, slug, member_id):
    shop = access_store(request, slug, owner=True)
    try:
        services.store_member_remove(store=shop, actor=request.user, member_id=member_id)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("console:team", slug=shop.slug)
    if not selectors.member_role(store=shop, user=request.user):
        messages.success(request, _("You left the team of %(store)s.") % {"store": shop.name})
        return redirect("console:home")
    messages.success(request, _("Removed from the team."))
    return redirect("console:team", slug=shop.slug)
