"""The stack's floor for `make bench`: the least a Django view can do for each kind of request,
served by the same gunicorn, middleware, PostgreSQL and Redis as the shop. Mounted only by the
bench settings (bench/urls.py under /_baseline/); no other settings module can reach these.

- A0: a tiny HttpResponse, no query.
- A1: one primary-key SELECT of a real table (stores_product) and a small template.
- A3: one transaction: a conditional UPDATE of a single hot row, then one INSERT (201); the same
  view on a sold-out row is A3x (the UPDATE matches nothing: 409, no INSERT).

A3's two tables are the bench's own (`bench_hot_row`, `bench_hot_claim`, made by
bench/make_bench.py with CREATE TABLE IF NOT EXISTS): no shop model, no migration.
"""

import json

from django.db import connection, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.template import engines
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from stores.models import Product

A1_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>{{ product.title }}</title><h1>{{ product.title }}</h1><p>{{ product.description }}</p>"
)

HOT_ROW_TABLES = (
    "CREATE TABLE IF NOT EXISTS bench_hot_row (id bigint PRIMARY KEY, remaining integer NOT NULL "
    "CHECK (remaining >= 0))",
    "CREATE TABLE IF NOT EXISTS bench_hot_claim (id bigserial PRIMARY KEY, "
    "row_id bigint NOT NULL REFERENCES bench_hot_row (id), user_id bigint NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now())",
)


@require_GET
def a0(request):
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
def a1(request, pk):
    try:
        product = Product.objects.only("id", "title", "description").get(pk=pk)
    except Product.DoesNotExist:
        raise Http404 from None
    return HttpResponse(A1_TEMPLATE.render({"product": product}))


@csrf_exempt
@require_POST
def a3(request, row_id):
    try:
        user_id = int(json.loads(request.body)["user"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"code": "invalid"}, status=400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE bench_hot_row SET remaining = remaining - 1 WHERE id = %s AND remaining > 0", [row_id])
        if cursor.rowcount == 0:
            return JsonResponse({"code": "sold_out"}, status=409)
        cursor.execute("INSERT INTO bench_hot_claim (row_id, user_id) VALUES (%s, %s) RETURNING id", [row_id, user_id])
        claim_id = cursor.fetchone()[0]
    return JsonResponse({"claim": claim_id}, status=201)
