"""The routes registry: every reader address is either baked or left out for a stated reason,
so the copy cannot fall behind the live site unnoticed."""

from django.urls import URLPattern, URLResolver

from samizdat.bake.routes import LEFT_OUT, ROUTES
from samizdat.urls import reader_urlpatterns


def named_routes(patterns, namespace="") -> set[str]:
    """"namespace:name" of every named pattern under `patterns`."""
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def covered(name: str) -> bool:
    namespace = name.rpartition(":")[0]
    return name in ROUTES or name in LEFT_OUT or f"{namespace}:*" in LEFT_OUT


def test_every_reader_route_is_baked_or_left_out_for_a_reason():
    names = named_routes(reader_urlpatterns)
    # The walk sees what it must: the editions' pages, feeds, and the root's addresses.
    assert {"site:home", "site:article", "site:tag-older", "syndication:edition-rss",
            "short-link"} <= names
    uncovered = sorted(n for n in names if not covered(n))
    assert not uncovered, (
        f"reader routes with no enumerator in samizdat/bake/routes.py: {uncovered}; add "
        "one to ROUTES, or to LEFT_OUT saying why the copy does without")


def test_the_registry_names_only_real_routes():
    names = named_routes(reader_urlpatterns)
    namespaces = {n.rpartition(":")[0] for n in names}
    # "redirects" (old addresses), "root" (the copy's index.html), "favicon" and "lite"
    # (the text-only edition of the pages above) are
    # addresses without a URL name of their own.
    unnamed = {"redirects", "root", "favicon", "lite"}
    assert not set(ROUTES) - names - unnamed
    for name in LEFT_OUT:
        assert name in names or name.endswith(":*") and name[:-2] in namespaces, name
    assert not set(ROUTES) & set(LEFT_OUT)
