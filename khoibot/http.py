"""How the bot talks HTTP to the Bot API: PTB's own transport (httpx), spread over small pools.

httpcore's connection pool, each time a request starts or ends, walks its connections and,
for every idle one, counts the connections again: the cost grows with the square of the
connections open. With several updates handled at once (khoibot/updates.py) about ten stay
open, and that walk took about 15 % of the bot's CPU under the conversation benchmark, against
2 % in a bot that sends one request at a time. Here every request goes to the least busy of
several pools of one connection each: the same number of requests at once, each pool's walk
as short as it can be.

Every pool shares one TLS context: building one loads the CA certificates (~17 ms each), and
the bot opens thirteen pools at each start.
"""

from __future__ import annotations

from collections.abc import Callable

import ssl
from functools import cache

import httpx
from telegram.request import BaseRequest, HTTPXRequest, RequestData


@cache
def tls_context() -> ssl.SSLContext:
    """The context httpx would build for each client (certifi's CAs, or SSL_CERT_FILE/DIR), built once."""
    return httpx.create_ssl_context()


def one_pool(size: int, **httpx_request: object) -> HTTPXRequest:
    """PTB's HTTPXRequest of ``size`` connections, on the shared TLS context."""
    return HTTPXRequest(connection_pool_size=size, httpx_kwargs={"verify": tls_context()}, **httpx_request)


class SpreadRequest(BaseRequest):
    """``pools`` HTTPXRequest objects of ``per_pool`` connections; a request goes to the one
    with the fewest requests under way. More requests at once than ``pools × per_pool`` wait
    in a pool, as in one large pool (``pool_timeout``)."""

    def __init__(self, pools: int, per_pool: int = 1, *, observe: Callable[[str, int | None], None] | None = None,
                 **httpx_request: object) -> None:
        if pools < 1 or per_pool < 1:
            raise ValueError("at least one pool of one connection")
        self._pools = [one_pool(per_pool, **httpx_request) for _ in range(pools)]
        self._under_way = [0] * pools
        # Told of every attempt: the Bot API method and the HTTP status (None: no answer came).
        self._observe = observe

    @property
    def read_timeout(self) -> float | None:
        return self._pools[0].read_timeout

    async def initialize(self) -> None:
        for pool in self._pools:
            await pool.initialize()

    async def shutdown(self) -> None:
        for pool in self._pools:
            await pool.shutdown()

    def under_way(self) -> tuple[int, ...]:
        """Requests under way now, per pool."""
        return tuple(self._under_way)

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         **timeouts: object) -> tuple[int, bytes]:
        index = min(range(len(self._pools)), key=self._under_way.__getitem__)
        self._under_way[index] += 1
        status: int | None = None
        try:
            status, payload = await self._pools[index].do_request(url, method, request_data, **timeouts)
            return status, payload
        finally:
            self._under_way[index] -= 1
            if self._observe is not None:
                self._observe(url.rsplit("/", 1)[-1], status)
