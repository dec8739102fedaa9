"""Health endpoints for a process manager or a load balancer (no login, no session, JSON).

- `/healthz`: can this process reach what it needs? The database (one `SELECT 1`), the cache (a
  write and a read) and the broker (a connection, at most BROKER_CHECK_SECONDS). 200 when all are
  up, 503 naming the ones that are not. A dead broker never makes a request wait long: the outbox
  holds what must be sent, so the shop keeps working, and this says so.
- `/readyz`: may this process take traffic? 200 once every migration is applied, 503 with how
  many are pending (a deploy that has not migrated yet).
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

BROKER_CHECK_SECONDS = 1.0


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    """Redis itself in the services mode (the shop falls back to the database without it, and
    this says so), else the database cache."""
    probe = caches["redis"] if "redis" in settings.CACHES else caches["default"]
    key = "healthz:probe"
    value = str(time.time())
    probe.set(key, value, 30)
    if probe.get(key) != value:
        raise RuntimeError("the cache did not keep a value")


def _broker() -> None:
    from giftshop.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=BROKER_CHECK_SECONDS)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
@require_GET
def healthz(request):
    report, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure is "down", and which one is the answer
            logger.warning("healthz: %s is down: %s", name, type(exc).__name__)
            report[name] = "down"
            healthy = False
        else:
            report[name] = "ok"
    return JsonResponse({"status": "ok" if healthy else "degraded", **report}, status=200 if healthy else 503)


@never_cache
@require_GET
def readyz(request):
    try:
        executor = MigrationExecutor(connection)
        pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except Exception as exc:  # noqa: BLE001 - no database: not ready
        logger.warning("readyz: cannot read the migrations: %s", type(exc).__name__)
        return JsonResponse({"status": "not ready", "database": "down"}, status=503)
    if pending:
        return JsonResponse({"status": "not ready", "pending_migrations": pending}, status=503)
    return JsonResponse({"status": "ready"})
