"""The customer search as the cashier types: names that start with the text first, then
names with a word starting with it, then phones by their digits, then the rest; the same
order at the counter and from ``serialdesk customers``."""

from __future__ import annotations

from app.services.shop import catalog
from tests.support import (
    fast_shop,  # noqa: F401
    seeded_shop,  # noqa: F401
)


def names(text: str, limit: int = 10) -> list[str]:
    return [c.name for c in catalog.search_customers(text, limit=limit)]


def test_two_letters_rank_the_start_of_a_name_first(shop):
    for name in ("Tibor Abbott", "Rob Bogart", "Jim Bob", "Anna Bobrova", "Bob Builder"):
        catalog.add_customer(name, "+44 7700 900123")
    assert names("bo") == ["Bob Builder", "Anna Bobrova", "Jim Bob", "Rob Bogart", "Tibor Abbott"]
    assert names("BO", limit=1) == ["Bob Builder"]  # the limit keeps the best, not the first A
    assert names("bob b") == ["Bob Builder"]
    assert names("  jim   bob ") == ["Jim Bob"]


def test_a_word_after_a_hyphen_counts_as_a_word(shop):
    catalog.add_customer("Abe Marlow", "")
    catalog.add_customer("Mary-Ann Lee", "")
    assert names("an") == ["Mary-Ann Lee"]  # "Marlow" does not hold "an"
    assert names("ma") == ["Mary-Ann Lee", "Abe Marlow"]


def test_phones_match_by_their_digits(shop):
    ann = catalog.add_customer("Ann Buyer", "+44 7700 900123")
    catalog.add_customer("Zed 900", "+44 7700 111222")
    assert [c.id for c in catalog.search_customers("900 123")] == [ann.id]
    assert [c.id for c in catalog.search_customers("07700 900123")] == [ann.id]  # dialled at home
    assert names("900")[0] == "Zed 900"  # a name starting with it still comes first
    assert names("90") == ["Zed 900"]  # two digits are too few to search phones


def test_wildcards_are_plain_text(shop):
    catalog.add_customer("Bob Builder", "")
    assert names("b%") == [] and names("_o") == []
    assert names("  ") == []
