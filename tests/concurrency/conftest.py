"""Fixtures for the concurrency tests: the database at hand, how hard to push it, and crowds of
claimers with a saved address each.

These tests use real threads, so they run with transaction=True (each thread has its own
connection and must see committed rows). PostgreSQL is the real target (row locks, READ
COMMITTED re-checks, many connections); where a test also means something on SQLite (a file
database with IMMEDIATE transactions and a busy timeout: writers take turns), it runs there too,
with fewer threads.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from logistics.models import Address

NEEDS_POSTGRES = "needs PostgreSQL: real row locks and concurrent connections; CI runs it"


@dataclass(frozen=True)
class Scale:
    """How many threads and actors a test uses on this database."""

    on_postgres: bool
    workers: int
    crowd: int  # claimers in the big races
    small_crowd: int  # claimers when something else races them too


@pytest.fixture
def scale(transactional_db) -> Scale:
    if connection.vendor == "postgresql":
        return Scale(on_postgres=True, workers=50, crowd=200, small_crowd=50)
    # SQLite lets one writer in at a time: the same races, fewer actors waiting in line.
    return Scale(on_postgres=False, workers=8, crowd=30, small_crowd=20)


@pytest.fixture
def postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRES)


@pytest.fixture
def make_claimers(transactional_db):
    """make_claimers(n) -> [(user, address_id)], made in bulk (a few queries, not 2n)."""
    counter = {"n": 0}

    def make(n, prefix="claimer"):
        User = get_user_model()
        start = counter["n"]
        counter["n"] += n
        users = User.objects.bulk_create(
            [
                User(username=f"{prefix}{i}", display_name=f"Friend {i}", email=f"{prefix}{i}@example.com",
                     password="!")  # unusable: nobody logs in, the services are called directly
                for i in range(start, start + n)
            ]
        )
        assert all(u.pk for u in users)  # bulk_create returns ids on PostgreSQL and SQLite >= 3.35
        addresses = Address.objects.bulk_create(
            [
                Address(user=u, recipient_name=u.display_name, phone="13800138000", country="CN", region="Shanghai",
                        city="Shanghai", district="Xuhui", street=f"{i} Tianyaoqiao Road", postal_code="200030",
                        is_default=True)
                for i, u in enumerate(users)
            ]
        )
        return [(u, a.id) for u, a in zip(users, addresses, strict=True)]

    return make
