"""Trigram indexes for the catalogue search (icontains on product and store names and
descriptions), on PostgreSQL only: at 100,000 products the search read every one of them
(bench/plans/page-home-search.txt). pg_trgm is a trusted extension (PostgreSQL 13+), so a database
owner can create it; where it cannot be created, the search keeps working without the indexes and
the migration says so instead of failing the deploy. SQLite (the embedded default) has no such index."""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)

INDEXES = [
    ("product_title_trgm_idx", "stores_product", "UPPER(title::text)"),
    ("product_description_trgm_idx", "stores_product", "UPPER(description)"),
    ("store_name_trgm_idx", "stores_store", "UPPER(name::text)"),
    ("store_description_trgm_idx", "stores_store", "UPPER(description)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SAVEPOINT trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # noqa: BLE001 - no privilege: the search works without the indexes
            cursor.execute("ROLLBACK TO SAVEPOINT trgm")
            logger.warning("pg_trgm could not be created (%s): the catalogue search runs without its indexes", exc)
            return
        cursor.execute("RELEASE SAVEPOINT trgm")
        for name, table, expression in INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)")
        # Statistics of the indexed expressions at once: without them the planner guesses that a
        # rare word matches often and walks the newest products instead (160 ms → 0.1 ms at 100k).
        cursor.execute("ANALYZE stores_product")
        cursor.execute("ANALYZE stores_store")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _table, _expression in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("stores", "0003_product_recent_idx")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
