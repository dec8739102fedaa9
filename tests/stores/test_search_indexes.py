"""The catalogue search's trigram indexes (stores/migrations/0004): on PostgreSQL the four exist
and a rare word is found through them instead of a scan of every product; SQLite has none."""

import pytest
from django.db import connection, transaction

from stores import selectors
from stores.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

NAMES = {"product_title_trgm_idx", "product_description_trgm_idx", "store_name_trgm_idx",
         "store_description_trgm_idx"}


def test_the_trigram_indexes_exist_on_postgresql_only():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%trgm_idx"])
            assert {row[0] for row in cursor.fetchall()} == NAMES
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%trgm%'")
            assert cursor.fetchall() == []


def test_djangos_icontains_matches_the_indexed_expression():
    """The index serves the SQL Django writes for icontains (UPPER(title::text) LIKE UPPER(...)),
    as the search's plan at 100,000 products shows (bench/plans/page-home-search.txt)."""
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    ProductFactory.create_batch(3)
    ProductFactory(title="Osmanthus oolong")
    for lookup, index in (("title__icontains", "product_title_trgm_idx"),
                          ("description__icontains", "product_description_trgm_idx")):
        sql, params = Product.objects.filter(**{lookup: "osmanth"}).order_by().values("id").query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a 4-row table is cheaper to scan: ask for the index
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan, plan
    assert [p.title for p in selectors.product_list_public(q="osmanth")] == ["Osmanthus oolong"]
