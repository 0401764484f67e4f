"""The API's throttles: keyed by the one client address rule, and open (with a warning) while Redis is down.

``articles.followups.client_address`` is the same function the follow-up form's rate limit and the login
lockout use, so a forged ``X-Forwarded-For`` escapes none of them (only ``TRUSTED_PROXY_COUNT`` proxies' entries
are believed).
"""

import logging

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from articles.availability import cache_unavailable
from articles.followups import client_address

logger = logging.getLogger(__name__)


class _ClientAddressThrottle:
    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as error:
            if not cache_unavailable(error):
                raise
            # Fail open: an outage of the counter's store must not take the API down with it.
            logger.warning("API throttle store unreachable: request let through unthrottled", exc_info=True)
            return True


class AnonymousClientThrottle(_ClientAddressThrottle, AnonRateThrottle):
    """Requests without credentials, per client address."""


class UserClientThrottle(_ClientAddressThrottle, UserRateThrottle):
    """Requests with credentials, per person (per client address for anyone else)."""
