"""Shared setup of the change list query-count tests.

Each test loads a change list with a small page over few rows and a large
page over many rows, and asserts the same number of queries for both.
"""

from django.contrib import admin

# (rows created, list_per_page): a full page of 10 and a full page of 100.
PAGE_SIZES = [(15, 10), (120, 100)]


def set_page_size(monkeypatch, model, per_page: int) -> None:
    """Set the registered admin of `model` to show `per_page` rows a page."""
    monkeypatch.setattr(admin.site._registry[model], "list_per_page", per_page)
