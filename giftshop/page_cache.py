"""Whole anonymous answers, cached: the product page, the card page, the public products API.

A popular shop's pages are read far more often than written, and a card link dropped in a group
chat is opened by hundreds of people within seconds, all anonymous and all shown the same thing.
Such an answer is kept whole in the cache, keyed by its absolute URL, the language (and, for the
API, the Accept header), and served again while the **versions** of what it shows are unchanged.

- A page names what it shows with `depends_on(request, store=..., gift=...)` while it renders.
  Every write to one of those bumps its version (`bump`): stock, price, photo, product, store, gift,
  claim. The apps name their models that pages show with `watch(model, scope_of)` (stores/apps.py,
  gifts/apps.py): every `save()` and `delete()` of one bumps its scope, whoever makes it (the admin
  included; signals are used for this alone). The UPDATEs that bypass save() call `changed(obj)`
  where they are made: `giftshop.transitions.transition`, `stores.stock`, and the gift services
  that move claimed units, the expiry, the card image and the token.
- A version is the time of its last bump (nanoseconds). An answer read from the database *before*
  a bump is never stored under the version *after* it: `store` refuses when any version it would
  store under is newer than the request's start (less a second's margin for clocks that differ).
  A version the cache lost is made again, new, so nothing stored before is ever served under it.
- Only what is the same for every anonymous visitor is stored: GET or HEAD, no session cookie, no
  messages cookie, no Authorization header, a 200 that set no cookie. The CSRF token is rendered
  as a placeholder (`render_context`) and each visitor gets their own, filled in when served.
- Answers are kept `PAGE_CACHE_SECONDS` at most (the time-based bits, such as "expires in 3 days",
  are that stale at most); `PAGE_CACHE_SECONDS=0` turns the cache off.
"""

import hashlib
import time
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

CSRF_PLACEHOLDER = "__giftshop_csrf_token_placeholder__"  # noqa: S105  # nosec B105: not a secret
_SCOPES_ATTR = "_page_cache_scopes"
_START_ATTR = "_page_cache_started_ns"
VERSION_TIMEOUT = 30 * 24 * 3600  # a version outlives every answer stored under it


def _django_request(request):
    return getattr(request, "_request", request)  # a DRF Request wraps Django's


def cacheable(request) -> bool:
    """The request of an anonymous visitor whose answer may be shared with every other one."""
    request = _django_request(request)
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


_code_version: str | None = None
CODE_FOLDERS = ("giftshop", "accounts", "stores", "gifts", "orders", "logistics")


def code_version() -> str:
    """What the answers were rendered by: RELEASE when the deployment names one, else a
    fingerprint of the code, templates and compiled translations (a new release never serves the
    last one's pages)."""
    global _code_version
    if _code_version is None:
        if settings.RELEASE:
            _code_version = settings.RELEASE
        else:
            base = Path(settings.BASE_DIR)
            digest = hashlib.sha256()
            patterns = ["templates/**/*.html", "locale/**/*.mo", *(f"{app}/**/*.py" for app in CODE_FOLDERS)]
            for pattern in patterns:
                for path in sorted(base.glob(pattern)):
                    stat = path.stat()
                    digest.update(f"{path.relative_to(base)}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
            _code_version = digest.hexdigest()[:16]
    return _code_version


def _answer_key(request, vary_on_accept: bool) -> str:
    parts = [request.build_absolute_uri(), get_language() or "", code_version()]
    if vary_on_accept:
        parts.append(request.META.get("HTTP_ACCEPT", ""))
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"page:{digest}"


def _version_key(scope: str) -> str:
    return f"pagev:{scope}"


def _scope_names(*, store=None, gift=None) -> list[str]:
    names = []
    if store is not None:
        names.append(f"store:{getattr(store, 'pk', store)}")
    if gift is not None:
        names.append(f"gift:{getattr(gift, 'pk', gift)}")
    return names


def _current_versions(scopes: list[str]) -> dict[str, int]:
    keys = [_version_key(s) for s in scopes]
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:  # lost (or never bumped): a new version, so no earlier answer matches it
        now = time.time_ns()
        for key in missing:
            cache.add(key, now, VERSION_TIMEOUT)
        found.update(cache.get_many(missing))
    return found


def begin(request) -> None:
    """Note when this request started reading (call before its first database read)."""
    setattr(_django_request(request), _START_ATTR, time.time_ns())


def depends_on(request, *, store=None, gift=None) -> None:
    """This answer shows this store's (catalogue, stock) or this gift's (state, claims) data."""
    request = _django_request(request)
    scopes = getattr(request, _SCOPES_ATTR, None)
    if scopes is None:
        scopes = []
        setattr(request, _SCOPES_ATTR, scopes)
    scopes.extend(s for s in _scope_names(store=store, gift=gift) if s not in scopes)


def render_context(request) -> dict:
    """Template context for a page that may be stored: its CSRF token is a placeholder."""
    return {"csrf_token": CSRF_PLACEHOLDER} if cacheable(request) else {}


# Each process also keeps the answers it served last, so a hit costs one cache round trip (the
# versions) instead of two. Bounded; emptied whole when full (safe under threads, and rare).
_local: dict[str, tuple] = {}


def _keep_local(key: str, entry: tuple) -> None:
    if key not in _local:
        if len(_local) >= settings.PAGE_CACHE_LOCAL_ENTRIES:
            _local.clear()
        _local[key] = entry


def _with_csrf(request, content: bytes) -> bytes:
    if CSRF_PLACEHOLDER.encode() not in content:
        return content
    return content.replace(CSRF_PLACEHOLDER.encode(), get_token(_django_request(request)).encode())


def lookup(request, *, vary_on_accept: bool = False) -> HttpResponse | None:
    """The stored answer for this request, if it is still current; else None (and the request's
    start is noted for `store`)."""
    if not cacheable(request):
        return None
    django_request = _django_request(request)
    begin(django_request)
    key = _answer_key(django_request, vary_on_accept)
    entry = _local.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is None:
            return None
    versions, status, content_type, content, stored_at = entry
    if stored_at < time.time_ns() - settings.PAGE_CACHE_SECONDS * 1_000_000_000:  # a local copy's age
        _local.pop(key, None)
        return None
    if cache.get_many(list(versions)) != versions:  # the one round trip of a hit served from _local
        _local.pop(key, None)
        return None
    _keep_local(key, entry)
    response = HttpResponse(_with_csrf(django_request, content), status=status, content_type=content_type)
    response["X-Page-Cache"] = "hit"
    return response


def store(request, response, *, vary_on_accept: bool = False):
    """Keep this rendered answer for the next anonymous visitor, and fill in this visitor's CSRF
    token. Returns the response to send."""
    django_request = _django_request(request)
    scopes = getattr(django_request, _SCOPES_ATTR, None)
    started = getattr(django_request, _START_ATTR, None)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    content = response.content
    if scopes and started is not None and cacheable(django_request) and response.status_code == 200 \
            and not response.cookies and not response.has_header("Set-Cookie"):
        versions = _current_versions(scopes)
        if max(versions.values()) < started - settings.PAGE_CACHE_CLOCK_MARGIN_MS * 1_000_000:
            entry = (versions, response.status_code, response["Content-Type"], content, time.time_ns())
            key = _answer_key(django_request, vary_on_accept)
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            _local.pop(key, None)
            response["X-Page-Cache"] = "miss"
    if CSRF_PLACEHOLDER.encode() in content:
        response.content = _with_csrf(django_request, content)
    return response


def bump(*, store=None, gift=None) -> None:
    """What this store or gift shows has changed: answers stored for it are not served again.

    Bumped now and again once the transaction commits: a reader that starts in between reads the
    data before the commit and stores it under the first bump, which the second one retires. (The
    first alone keeps it right where the commit never comes, as in a test's rolled-back transaction.)"""
    keys = [_version_key(s) for s in _scope_names(store=store, gift=gift)]
    if not keys:
        return

    def set_versions():
        cache.set_many(dict.fromkeys(keys, time.time_ns()), VERSION_TIMEOUT)

    set_versions()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(set_versions)


# --- what each write bumps ---------------------------------------------------------------------
_watched: dict[type, object] = {}


def watch(model, scope_of) -> None:
    """Pages show `model`'s rows: `scope_of(obj)` gives {"store": id} or {"gift": id} (an app's
    ready() calls this). Every save() and delete() of one then bumps that scope."""
    _watched[model] = scope_of
    uid = f"page_cache.{model._meta.label}"
    post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}.save")
    post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}.delete")


def _on_write(sender, instance, **kwargs):
    if not kwargs.get("raw"):  # loaddata writes no page
        changed(instance)


def changed(obj) -> None:
    """`obj` was written (by an UPDATE that bypasses save(), or a save()): bump what shows it."""
    scope_of = _watched.get(type(obj))
    if scope_of is not None:
        scope = {name: value for name, value in scope_of(obj).items() if value is not None}
        if scope:
            bump(**scope)


def anonymous(view=None, *, vary_on_accept: bool = False):
    """Serve the view's answer from the cache for anonymous visitors (see the module's docstring);
    the view names what it shows with `depends_on` and renders its CSRF token with `render_context`.
    Also for a DRF view: `method_decorator(page_cache.anonymous(vary_on_accept=True), name="dispatch")`."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            hit = lookup(request, vary_on_accept=vary_on_accept)
            if hit is not None:
                return hit
            response = view(request, *args, **kwargs)
            if not cacheable(request):
                return response
            return store(request, response, vary_on_accept=vary_on_accept)

        return wrapped

    return decorate(view) if view is not None else decorate
