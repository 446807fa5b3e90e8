"""A page of a list that is not counted: previous and next only.

A cooperative-wide list (every invoice of every business) would count a million rows to
print "page 1 of 20 000"; the page reads one row more than it shows to know whether a next
page exists, and the count comes with the totals, asked separately (sales lists).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any


class UncountedPage(Sequence):
    """The rows of page `number` (from 1) of `rows`, `size` per page, without a COUNT."""

    paginator = None  # templates: no "page n of N"

    def __init__(self, rows: Any, number: Any, size: int) -> None:
        try:
            self.number = max(1, int(number))
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * size
        fetched = list(rows[start : start + size + 1])
        self.object_list = fetched[:size]
        self._has_next = len(fetched) > size
        if not self.object_list and self.number > 1:  # past the end: the first page
            self.__init__(rows, 1, size)  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index: Any) -> Any:
        return self.object_list[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
