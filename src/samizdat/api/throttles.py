"""Rate limits per client, counted in the cache under a rotating pseudonymous key."""

import time

from django.conf import settings
from ninja.throttling import BaseThrottle

from samizdat import clients

WINDOW = 60  # seconds


class ClientThrottle(BaseThrottle):
    """At most `limit()` requests per client per minute; 0 turns the limit off.

    The setting is read per request, never at import, so tests and operators can change it.
    """

    purpose = "api"
    setting = "API_RATE_LIMIT"

    def limit(self) -> int:
        return getattr(settings, self.setting)

    def allow_request(self, request) -> bool:
        limit = self.limit()
        return not limit or not clients.over_limit(request, self.purpose, limit, WINDOW)

    def wait(self) -> float:
        # Counters live in fixed windows (see clients.hit): the next one starts then.
        return WINDOW - time.time() % WINDOW


class SearchThrottle(ClientThrottle):
    """Searching costs far more than reading: the search page's own limit applies too."""

    purpose = "api-search"
    setting = "SEARCH_RATE_LIMIT"
