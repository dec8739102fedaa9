"""`make bench` (bench/make_bench.py): the services mode on loopback, plus the baseline views.

The local settings (the services mode's: DATABASE_URL = a giftshop_bench* PostgreSQL database,
REDIS_URL = Redis db 14, persistent connections from base), with three differences, all for the
benchmark only:

- DEBUG is off whatever the environment says (DEBUG keeps every query in memory);
- ROOT_URLCONF is bench.urls: the baseline views under /_baseline/ (bench/baseline.py) in front of
  the shop's own URLs. No other settings module mounts them (tests/test_bench_baseline_hidden.py);
- the claim-attempt limit per user is raised out of the way (the counter is still counted on every
  try, so its cost stays in the measurement): the sold-out scenario sends thousands of claims from
  one token, which the real 30 a minute would turn into 429s.
"""

from .local import *  # noqa: F401,F403
from .local import DATABASES

DEBUG = False
ROOT_URLCONF = "bench.urls"
RATELIMIT_CLAIMS = "10000000/m"

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("The bench settings run on PostgreSQL: set DATABASE_URL to a giftshop_bench* database.")
