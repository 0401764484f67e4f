"""Answering a GET again on a new database connection when the one it met had been dropped."""

import logging

from config.errors import CONNECTION_DROPPED

logger = logging.getLogger(__name__)

RETRIED_METHODS = ("GET", "HEAD")


class RetryOnNewConnectionMiddleware:
    """Answer a GET or HEAD once more when its database connection turned out to be one the database had dropped.

    Django keeps connections across requests (CONN_MAX_AGE) and, with CONN_HEALTH_CHECKS off (the default here, see
    config.settings), no longer asks the database before each request whether the connection still works: that
    question was a round trip on every request. A connection the database dropped since (a restart, a failover) then
    fails the request's first query; config.errors closes it and marks the request, and this middleware sends the
    request down the stack once more, on a new connection. Only methods that change nothing are repeated: a POST
    that met a dropped connection answers 503 and changed nothing, as its transaction never began.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in RETRIED_METHODS and getattr(request, CONNECTION_DROPPED, False):
            setattr(request, CONNECTION_DROPPED, False)
            logger.warning("database connection was dropped: %s %s answered again", request.method, request.path)
            response = self.get_response(request)
        return response
