"""{% page_url n %}: the address of page n of this list. A view that names its list's filters in
`page_query` (an urlencoded string: the queue's status and kind, the wallet's tab) gets exactly
those before the page number; otherwise every other query parameter is kept (the search)."""

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    named = context.get("page_query")
    query = QueryDict(named, mutable=True) if named is not None else context["request"].GET.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()
