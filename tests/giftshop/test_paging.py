"""giftshop.paging: the HTML lists' pages, one query each and no COUNT."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giftshop.paging import MAX_PAGE, page_number, page_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return [UserFactory(username=f"user{i:02d}") for i in range(5)]


def by_name():
    return get_user_model().objects.filter(username__startswith="user").order_by("username")


def names(page):
    return [u.username for u in page.object_list]


def test_a_page_is_one_query_without_a_count(users):
    with CaptureQueriesContext(connection) as queries:
        page = page_of(by_name(), "1", per_page=2)
    assert len(queries) == 1 and "COUNT(" not in queries[0]["sql"].upper()
    assert names(page) == ["user00", "user01"]
    assert (page.number, page.has_previous, page.has_next, page.has_other_pages) == (1, False, True, True)
    assert page.next_page_number == 2


def test_the_last_page_has_no_next_and_a_full_last_page_is_told_apart(users):
    last = page_of(by_name(), "3", per_page=2)
    assert names(last) == ["user04"] and not last.has_next and last.has_previous
    assert last.previous_page_number == 2
    exact = page_of(by_name(), "1", per_page=5)
    assert len(exact) == 5 and not exact.has_next and not exact.has_other_pages


def test_a_page_past_the_end_lands_on_the_last_page(users):
    page = page_of(by_name(), "40", per_page=2)
    assert page.number == 3 and names(page) == ["user04"]


def test_an_empty_list_is_page_one_without_links():
    page = page_of(by_name(), "7", per_page=2)
    assert page.number == 1 and list(page) == [] and not page.has_other_pages


@pytest.mark.parametrize(
    ("raw", "number"),
    [(None, 1), ("", 1), ("0", 1), ("-2", 1), ("abc", 1), ("2.5", 1), ("٣", 1), ("9" * 5000, 1), ("3", 3),
     (str(MAX_PAGE + 1), MAX_PAGE)],
)
def test_a_page_number_that_is_not_a_whole_number_from_1_reads_as_page_1(raw, number):
    assert page_number(raw) == number
