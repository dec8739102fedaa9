"""Paginated list answers for plain APIViews: {"count", "next", "previous", "results"}."""

from giftshop.api.pagination import Pagination


def paginated_response(*, request, view, queryset, serializer_class, context=None, annotate_page=None):
    """Serialize one page of `queryset`. `annotate_page(rows)` may decorate the page's rows in a
    constant number of queries before they are serialized."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    if annotate_page is not None:
        annotate_page(page)
    context = {"request": request, **(context or {})}
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context).data)
