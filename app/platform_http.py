"""The one outbound HTTP client, and the platform URL mapping for dev, tests and benchmarks.

App code always uses the platforms' real URLs. With ``AFTERCARE_PLATFORM_URL`` set, a transport
rewrites them (this mapping is a contract; tests outside the project rely on it):

    https://{shop}.myshopify.com/{path}  -> {base}/shopify/{shop}.myshopify.com/{path}
    https://api.bigcommerce.com/{path}   -> {base}/bigcommerce/api/{path}
    https://login.bigcommerce.com/{path} -> {base}/bigcommerce/login/{path}
"""

from __future__ import annotations

import httpx

SHOPIFY_SUFFIX = ".myshopify.com"
BIGCOMMERCE_HOSTS = {"api.bigcommerce.com": "api", "login.bigcommerce.com": "login"}
CONNECT_TIMEOUT = 5.0
TIMEOUT = httpx.Timeout(30.0, connect=CONNECT_TIMEOUT)


def route_platform_url(url: httpx.URL, base: httpx.URL) -> httpx.URL:
    """Where a request for ``url`` goes when the platforms are stood in for at ``base``."""
    host = url.host
    if host.endswith(SHOPIFY_SUFFIX):
        prefix = f"/shopify/{host}"
    elif host in BIGCOMMERCE_HOSTS:
        prefix = f"/bigcommerce/{BIGCOMMERCE_HOSTS[host]}"
    else:
        return url
    base_path = base.raw_path.split(b"?")[0].decode().rstrip("/")
    return base.copy_with(
        raw_path=(base_path + prefix + url.raw_path.decode()).encode(),
    )


class PlatformRoutingTransport(httpx.AsyncBaseTransport):
    def __init__(self, base: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.base = httpx.URL(base)
        self.inner = inner or httpx.AsyncHTTPTransport(retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        routed = route_platform_url(request.url, self.base)
        if routed != request.url:
            request.url = routed
            request.headers["Host"] = routed.netloc.decode()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def build_http_client(
    platform_url: str | None,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    timeout: float | None = None,
) -> httpx.AsyncClient:
    """The shared client; ``transport`` lets tests put a respx or ASGI transport underneath;
    ``timeout`` (seconds, ``PLATFORM_HTTP_TIMEOUT``) replaces the default wait for an answer."""
    if platform_url:
        transport = PlatformRoutingTransport(platform_url, transport)
    return httpx.AsyncClient(
        transport=transport,
        timeout=TIMEOUT if timeout is None else httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        headers={"User-Agent": "Aftercare/0.1"},
        follow_redirects=False,
    )
