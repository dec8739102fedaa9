"""Console template helpers: what the signed-in member may do here, by the selectors' rules."""

from django import template

from stores.selectors import is_store_owner

register = template.Library()


@register.simple_tag(takes_context=True)
def owns_store(context, store) -> bool:
    """{% owns_store store as owner %}: show the owners-only links (settings, team) to owners only."""
    request = context.get("request")
    return bool(request) and is_store_owner(store=store, user=request.user)
