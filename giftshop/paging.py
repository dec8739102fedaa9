"""Pages of the HTML lists without a COUNT: one query of per_page + 1 rows says whether a next
page exists. A COUNT over a merchant's 200,000 parcels or a sender's 20,000 gifts reads every one
of them (40–290 ms at a million gifts, bench/plans/), to print "of 10,000" that nobody needs to
click "Next". The REST API keeps DRF's counted pages: API.md promises `count`.

`page_of(queryset, request.GET.get("page"))` returns a Page with what templates/_pagination.html
reads (number, has_previous, has_next, previous/next_page_number, has_other_pages, object_list).
A page number that is not a whole number from 1 up reads as 1 (as Django's `get_page`); a page
past the end, which only a hand-made or stale link reaches, costs one COUNT to land on the last
page, as `get_page` does.
"""

from dataclasses import dataclass

PER_PAGE = 20
MAX_PAGE = 10_000  # deeper than any list is read by hand; keeps OFFSET bounded


@dataclass(frozen=True)
class Page:
    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def page_number(raw) -> int:
    raw = str(raw or "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_PAGE)):
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def page_of(queryset, raw_number, per_page: int = PER_PAGE) -> Page:
    number = page_number(raw_number)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:
        last = max(1, -(-queryset.count() // per_page))
        if last < number:
            return page_of(queryset, last, per_page)
    return Page(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)
