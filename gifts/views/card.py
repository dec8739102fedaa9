"""The recipient's card at /g/<token>/.

GET never changes anything (chat apps and mail scanners fetch it to draw a preview): it shows
the card and what this visitor can do. Every action is a POST with CSRF to the same address,
counted by the per-user claim limit, and one gifts.services call. Nothing here ever shows a
price: not the gift's, not a variant's.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited

from accounts.forms import SigninLinkForm
from accounts.services import light_accounts_limited
from gifts.covers import cover_for
from gifts.forms import AddressChoiceForm, GuestForm, NewAddressForm, ThankForm
from gifts.models import Gift
from gifts.selectors.gifts import (
    SHIPPING,
    card_state,
    claim_attempts_limited,
    claim_for,
    claim_variant_options,
    gift_by_card_token,
)
from gifts.services.claims import (
    claim_accept,
    claim_accept_as_guest,
    claim_decline,
    claim_enter,
    claim_set_address,
    claim_thank,
)
from giftshop import page_cache
from giftshop.errors import DomainError, NotFound
from giftshop.logfilters import log_response_token_masked
from giftshop.privacy_headers import mark_card
from giftshop.ratelimits import Throttled
from logistics.selectors.addresses import address_list


def switch_variants(gift: Gift):
    """The options the page offers: claim_variant_options' rule, the sold-out ones left out."""
    return [option for option in claim_variant_options(gift=gift) if option.in_stock]


def _address_forms(request, gift, data=None):
    choice = AddressChoiceForm(
        data, addresses=address_list(user=request.user), variants=switch_variants(gift), current_variant=gift.variant
    )
    new = NewAddressForm(data if choice.wants_new_address else None, prefix="new", initial={"country": "CN"})
    return choice, new


def _guest_forms(gift, data=None):
    """The one screen of a visitor with no account: the option, the address (not for a draw: the
    winners give theirs after it), and an email or phone."""
    guest = GuestForm(data, variants=switch_variants(gift), current_variant=gift.variant)
    new = None if gift.is_lottery else NewAddressForm(data, prefix="new", initial={"country": "CN"})
    return guest, new


def _absolute(url: str) -> str:
    """Link previews need an absolute image address: the site's public address (SITE_URL), unless
    the storage already gives one (object storage, a CDN)."""
    return url if url.startswith(("https://", "http://")) else settings.SITE_URL + url


def _render(request, gift, *, forms=None, thank_form=None, guest_forms=None):
    claim = claim_for(gift=gift, user=request.user)
    state = card_state(gift=gift, user=request.user, claim=claim)
    choice_form = new_address_form = guest_form = None
    if state in ("accept", "won"):
        choice_form, new_address_form = forms or _address_forms(request, gift)
    elif state == "login":
        guest_form, new_address_form = guest_forms or _guest_forms(gift)
    product = gift.variant.product
    context = {
        "gift": gift,
        "state": state,
        "claim": claim,
        "product": product,
        "cover_image": next(iter(product.images.all()), None),
        "cover": cover_for(gift.cover),
        "sender_name": gift.sender.public_name,
        "choice_form": choice_form,
        "new_address_form": new_address_form,
        "guest_form": guest_form,
        "signin_link_form": SigninLinkForm(auto_id="id_signin_%s") if state == "login" else None,
        "thank_form": thank_form or (ThankForm() if claim and claim.status in SHIPPING else None),
        "card_url": request.path,
        "card_absolute_url": settings.SITE_URL + request.path,
        "og_image": _absolute(gift.card_image.url) if gift.card_image else "",
        **page_cache.render_context(request),
    }
    page_cache.depends_on(request, store=product.store_id, gift=gift)
    return render(request, "gifts/card.html", context)


def _put_errors(exc, choice, new):
    """A service's field errors beside their fields: the typed address's, or the option's."""
    for name, errors in (exc.fields or {}).items():
        name = name.removeprefix("address.")
        if name == "variant_id":
            form, name = choice, "variant"
        elif new is not None and name in new.fields:
            form = new
        else:
            continue
        for error in errors:
            form.add_error(name, error)


def _accept_or_address(request, gift, service):
    choice, new = _address_forms(request, gift, request.POST)
    if not choice.is_valid() or (choice.wants_new_address and not new.is_valid()):
        messages.error(request, _("Please check the highlighted fields."))
        return _render(request, gift, forms=(choice, new))
    where = {"address": new.service_fields()} if choice.wants_new_address else {
        "address_id": choice.cleaned_data["address"]}
    try:
        service(gift=gift, user=request.user, variant_id=choice.cleaned_data.get("variant"), **where)
    except DomainError as exc:
        gift.refresh_from_db(fields=REFRESHED)
        _put_errors(exc, choice, new if choice.wants_new_address else None)
        messages.error(request, exc.detail)
        return _render(request, gift, forms=(choice, new))
    messages.success(request, _("Accepted! It's on its way soon."))
    return redirect(request.path)


def _guest(request, gift):
    """Accept (or enter the draw) with no account, on one screen: the claim and a light account in
    one request, then signed in here; a sign-in link goes to the email or phone for later."""
    if wait := light_accounts_limited(request=request):
        raise Throttled(wait)
    guest, new = _guest_forms(gift, request.POST)
    if not guest.is_valid() or (new is not None and not new.is_valid()):
        messages.error(request, _("Please check the highlighted fields."))
        return _render(request, gift, guest_forms=(guest, new))
    try:
        with transaction.atomic():  # the sign-in link's fingerprint holds this login's time
            claim = claim_accept_as_guest(
                gift=gift, contact=guest.cleaned_data["contact"], variant_id=guest.cleaned_data.get("variant"),
                address=new.service_fields() if new is not None else None, language=get_language(),
                card_path=request.path,
            )
            login(request, claim.recipient, backend="django.contrib.auth.backends.ModelBackend")
    except DomainError as exc:
        gift.refresh_from_db(fields=REFRESHED)
        _put_errors(exc, guest, new)
        for error in (exc.fields or {}).get("contact", []):
            guest.add_error("contact", error)
        messages.error(request, exc.detail)
        return _render(request, gift, guest_forms=(guest, new))
    where = {"contact": guest.cleaned_data["contact"]}
    if gift.is_lottery:
        text = _("You are in the draw. Good luck! We sent a sign-in link to %(contact)s, to come back for the result.")
    else:
        text = _("Accepted! We sent a sign-in link to %(contact)s, to follow the parcel.")
    messages.success(request, text % where)
    return redirect(request.path)


def _accept(request, gift):
    if gift.is_lottery:
        return _enter(request, gift)
    return _accept_or_address(request, gift, claim_accept)


def _address(request, gift):
    return _accept_or_address(request, gift, claim_set_address)


def _enter(request, gift):
    claim_enter(gift=gift, user=request.user)
    messages.success(request, _("You are in the draw. Good luck!"))
    return redirect(request.path)


def _decline(request, gift):
    claim_decline(gift=gift, user=request.user)
    messages.success(request, _("You declined the gift. We let the sender know; thank you for saying so."))
    return redirect(request.path)


def _thank(request, gift):
    form = ThankForm(request.POST)
    if not form.is_valid():
        return _render(request, gift, thank_form=form)
    try:
        claim_thank(gift=gift, user=request.user, note=form.cleaned_data["note"])
    except DomainError as exc:
        form.add_error(None, exc.detail)
        return _render(request, gift, thank_form=form)
    messages.success(request, _("Thank you note sent."))
    return redirect(request.path)


# The gift's own columns that an action (or a race with one) may have moved.
REFRESHED = ["status", "claimed_units", "expires_at", "drawn_at", "declined_by", "closed_at"]
ACTIONS = {"accept": _accept, "enter": _enter, "address": _address, "decline": _decline, "thank": _thank}


def token_kept_out_of_logs(view):
    """Django logs every 4xx/5xx answer with the request's path, and this path holds the card's
    token (DESIGN §2: tokens never appear in logs). Log the same line with the token masked and
    mark the answer as logged. Rate-limit refusals are rendered here for the same reason (the
    middleware that would render them runs before Django logs)."""

    @wraps(view)
    def wrapped(request, token):
        try:
            if request.method in ("GET", "HEAD", "POST"):
                response = view(request, token)
            else:  # require_http_methods would log the path itself
                response = HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        except Ratelimited as exc:
            response = import_string(settings.RATELIMIT_VIEW)(request, exc)
        # The token is in this URL: no Referer leaves the page, no cache keeps it. (The card's own
        # POSTs then carry "Origin: null": giftshop.privacy_headers.CsrfViewMiddleware accepts them.)
        mark_card(response)
        log_response_token_masked(request, response, token)
        return response

    return wrapped


@token_kept_out_of_logs
# An anonymous visitor's GET: the same page for everyone, until the gift or its store changes. A
# stored page is served before the failed-lookup limit is asked: only a valid link has one, so it
# tells a guesser nothing, and the limit still refuses every lookup that reaches the database.
@page_cache.anonymous
def card(request, token):
    try:
        gift = gift_by_card_token(request=request, token=token)
    except NotFound:
        return render(request, "gifts/card_not_found.html", status=404)
    if request.method != "POST":
        return _render(request, gift)
    if not request.user.is_authenticated:
        if request.POST.get("action") == "guest":
            return _guest(request, gift)
        return redirect_to_login(request.path)
    if wait := claim_attempts_limited(request=request):
        raise Throttled(wait)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Choose what to do with the gift."))
        return redirect(request.path)
    try:
        return action(request, gift)
    except DomainError as exc:
        messages.error(request, exc.detail)
        gift.refresh_from_db(fields=REFRESHED)
        return _render(request, gift)
