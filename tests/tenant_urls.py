"""Discover every URL pattern under /o/<org_slug>/, so the isolation tests cover future views too."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

TENANT_PREFIX = "o/<slug:org_slug>/"
ROUTE_KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class TenantRoute:
    route: str
    name: str  # namespaced, for reverse()
    kwargs: tuple[str, ...]  # URL kwargs besides org_slug
    view_class: type | None

    def __str__(self):
        return self.name


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), namespace + entry.name, entry.callback


def tenant_routes() -> list[TenantRoute]:
    return [
        TenantRoute(
            route=route,
            name=name,
            kwargs=tuple(k for k in ROUTE_KWARG.findall(route) if k != "org_slug"),
            view_class=getattr(callback, "view_class", None),
        )
        for route, name, callback in _walk(get_resolver().url_patterns)
        if route.startswith(TENANT_PREFIX)
    ]
