"""Run every reader of services.yaml over the regions, concurrently, read-only.

A reader that is denied, or a region that cannot be reached, is never an empty result: it is
recorded in ``Discovery.errors`` (``reader@region`` -> why) so that the controls depending on it
are reported as `error`, not as a pass.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from brokerguard.errors import InputError
from brokerguard.providers.aws.live import LiveResource

SERVICES_FILE = Path(__file__).resolve().parent / "services.yaml"
GLOBAL_REGION = "us-east-1"  # CloudFront, Shield, the S3 bucket list and CLOUDFRONT-scope WAF live here
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
          "AuthorizationError", "AuthFailure", "InvalidClientTokenId", "UnrecognizedClientException",
          "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch", "OptInRequired", "Forbidden", "403"}
MAX_WORKERS = 8


@functools.cache
def services() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(SERVICES_FILE.read_text(encoding="utf-8"))
    return {name: {"global": False, "after": [], "folds": [], **spec} for name, spec in data.items()}


def served_types() -> frozenset[str]:
    """Every Terraform type scan-aws reads: yielded by a reader or folded into what one yields."""
    return frozenset(t for spec in services().values() for t in (*spec["types"], *spec["folds"]))


@dataclass
class Discovery:
    account: str
    regions: tuple[str, ...]
    resources: list[LiveResource] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # "reader@region" -> why


def pin_endpoint(client: Any, endpoint_url: str) -> None:
    """Send every request of an S3 Control client to an endpoint given by hand (a proxy, a test server): its
    endpoint rules would put the account id in front of the host name. (Not for S3, whose bucket may be in
    the host name.)"""
    import urllib.parse

    host = urllib.parse.urlsplit(endpoint_url).netloc

    def pin(request: Any, **_: Any) -> None:
        request.url = urllib.parse.urlunsplit(urllib.parse.urlsplit(request.url)._replace(netloc=host))

    client.meta.events.register("before-send", pin)


class Clients:
    """One boto3 client per (service, region), created under a lock: sessions are not thread-safe."""

    def __init__(self, profile: str | None, endpoint_url: str | None) -> None:
        import boto3
        from botocore.config import Config

        # Throttling is retried with client-side rate limiting; attempts come from AWS_MAX_ATTEMPTS
        # or the profile's max_attempts when set.
        self.config = Config(retries={"mode": "adaptive"}, connect_timeout=10, read_timeout=30)
        self.endpoint_url = endpoint_url
        self.session = boto3.session.Session(profile_name=profile)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self.on_client: Callable[[Any], None] | None = None

    def __call__(self, service: str, region: str) -> Any:
        with self._lock:
            if (service, region) not in self._clients:
                client = self.session.client(service, region_name=region, config=self.config,
                                             endpoint_url=self.endpoint_url)
                if self.endpoint_url and service == "s3control":
                    pin_endpoint(client, self.endpoint_url)
                if self.on_client:
                    self.on_client(client)
                self._clients[(service, region)] = client
            return self._clients[(service, region)]


@dataclass
class Context:
    """What a reader gets: its region, a client maker, and (for a later wave) what was found so far."""

    region: str
    account: str
    clients: Clients
    found: list[LiveResource]
    primary: bool  # the first region asked for: account-wide things that live in us-east-1 are read once, from it

    def client(self, service: str, region: str | None = None) -> Any:
        return self.clients(service, region or self.region)

    def of_type(self, *types: str) -> list[LiveResource]:
        return [r for r in self.found if r.type in types and r.region == self.region]


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterable[Any]:
    """Every item of a listing, through botocore's paginator."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key) or []


def token_pages(call: Any, key: str, **kwargs: Any) -> Iterable[Any]:
    """Every item of a listing that botocore has no paginator for, following NextToken by hand."""
    token = None
    while True:
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        yield from page.get(key) or []
        token = page.get("NextToken")
        if not token:
            return


def why(exc: Exception) -> str:
    """Why a reader could not read, in one line naming the AWS error."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?"))
        op = exc.operation_name
        if code in DENIED:
            return f"access denied ({code}) on {op}"
        message = " ".join(str(err.get("Message") or "").split())[:160]
        if message.startswith("<"):  # an HTML error page: the endpoint does not serve this operation
            message = f"HTTP {exc.response.get('ResponseMetadata', {}).get('HTTPStatusCode', '?')} page, not an AWS answer"
        return f"{code} on {op}{': ' + message if message else ''}"
    if isinstance(exc, BotoCoreError):
        return f"unreachable: {' '.join(str(exc).split())[:200]}"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def _readers() -> dict[str, Callable[[Context], Iterable[LiveResource]]]:
    from brokerguard.providers.aws import (
        readers_compute,
        readers_data,
        readers_detect,
        readers_edge,
        readers_identity,
        readers_network,
    )

    table = {}
    for module in (readers_network, readers_compute, readers_edge, readers_data, readers_detect, readers_identity):
        table.update(module.READERS)
    missing = set(services()) ^ set(table)
    if missing:
        raise RuntimeError(f"{SERVICES_FILE}: readers and services.yaml disagree on {sorted(missing)}")
    return table


class _Progress:
    """`read 12/40 services` on standard error, only when it is a terminal."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.lock = total, 0, threading.Lock()
        self.shown = sys.stderr.isatty()

    def step(self) -> None:
        with self.lock:
            self.done += 1
            if self.shown:
                bar = "#" * (20 * self.done // self.total)
                print(f"\rbrokerguard: [{bar:<20}] {self.done}/{self.total} services read", end="", file=sys.stderr)
                if self.done == self.total:
                    print(file=sys.stderr)


def _account(clients: Clients, region: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return clients("sts", region).get_caller_identity()["Account"]
    except (ClientError, BotoCoreError) as exc:
        raise InputError(f"aws: cannot identify the account ({why(exc)})",
                         hint="check --aws-profile / AWS credentials and --endpoint-url") from None


def discover(regions: list[str], profile: str | None = None, endpoint_url: str | None = None,
             on_client: Callable[[Any], None] | None = None, workers: int = MAX_WORKERS) -> Discovery:
    from botocore.exceptions import ProfileNotFound

    try:
        clients = Clients(profile, endpoint_url)
    except ProfileNotFound as exc:
        raise InputError(f"aws: {exc}") from None
    regions = list(regions) or [r for r in [clients.session.region_name] if r]
    if not regions:
        raise InputError("aws: no region: pass --region R (or set AWS_REGION, or a region in the AWS profile)")
    clients.on_client = on_client
    result = Discovery(account=_account(clients, regions[0]), regions=tuple(regions))
    readers = _readers()
    specs = services()
    jobs = [(name, GLOBAL_REGION if spec["global"] else region)
            for name, spec in specs.items() for region in ([regions[0]] if spec["global"] else regions)]
    progress = _Progress(len(jobs))
    lock = threading.Lock()

    def run(name: str, region: str) -> None:
        ctx = Context(region=region, account=result.account, clients=clients, found=list(result.resources),
                      primary=region == regions[0] or specs[name]["global"])
        try:
            found = list(readers[name](ctx))  # a reader may yield: it has read only once consumed
        except Exception as exc:  # noqa: BLE001 -- any failure is recorded, never read as "nothing there"
            with lock:
                result.errors[f"{name}@{region}"] = why(exc)
        else:
            with lock:
                result.resources.extend(found)
        progress.step()

    # Two waves: readers that look up what others found (WAF associations) run after them.
    for wave in ([n for n in specs if not specs[n]["after"]], [n for n in specs if specs[n]["after"]]):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(run, n, r) for n, r in jobs if n in wave]:
                future.result()
    result.resources.sort(key=lambda r: (r.type, r.region, r.id))
    return result
