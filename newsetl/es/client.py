"""Connecting: the configured cluster or the embedded local engine, with retries and TLS."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exc
from pydantic import SecretStr

from newsetl.config import Settings

log = logging.getLogger(__name__)


class UnreachableError(ConnectionError):
    """Elasticsearch did not answer at the start of a run; the message names the URL only."""


def redact(url: str) -> str:
    """The URL without any user:password part, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def secret(value: SecretStr | None, block: str | None) -> str | None:
    """A credential from the environment, else from the named Prefect Secret block."""
    if value is not None:
        return value.get_secret_value()
    if block:
        from prefect.blocks.system import Secret

        stored = cast(Secret[str], Secret.load(block))  # sync context: the block itself
        return str(stored.get())
    return None


def resolve_url(settings: Settings) -> str:
    if settings.es_url:
        return settings.es_url
    from newsetl.es.local import LocalEngine

    return LocalEngine(settings.state_dir, settings.local_port, settings.local_heap).up()


@contextmanager
def _quiet_transport() -> Iterator[None]:
    """The client logs each failed attempt with a traceback; a cluster that does not answer
    at the start of a run is said once, by `UnreachableError`."""
    transport = logging.getLogger("elastic_transport")
    level = transport.level
    transport.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        transport.setLevel(level)


def connect(settings: Settings, *, check: bool = True) -> Elasticsearch:
    """A client for the run; with `check`, fail at once if the cluster does not answer."""
    url = resolve_url(settings)
    kwargs: dict[str, object] = {
        "request_timeout": 60,
        "retry_on_timeout": True,
        "max_retries": 3,
        "retry_on_status": (429, 502, 503, 504),
    }
    api_key = secret(settings.es_api_key, settings.es_api_key_block)
    if api_key:
        kwargs["api_key"] = api_key
    elif settings.es_username:
        password = secret(settings.es_password, settings.es_password_block) or ""
        kwargs["basic_auth"] = (settings.es_username, password)
    if settings.es_ca_certs:
        kwargs["ca_certs"] = str(settings.es_ca_certs)
    if not settings.es_verify_certs:
        log.warning(
            "TLS certificate verification is OFF for %s: anyone on the path can read and "
            "change your traffic. Use NEWSETL_ES_CA_CERTS instead.",
            redact(url),
        )
        kwargs["verify_certs"] = False
        kwargs["ssl_show_warn"] = False
    client = Elasticsearch(url, **kwargs)  # type: ignore[arg-type]
    if check:
        try:
            with _quiet_transport():
                client.options(max_retries=1).info()
        except (es_exc.ConnectionError, es_exc.ConnectionTimeout) as exc:
            raise UnreachableError(
                f"Elasticsearch at {redact(url)} is unreachable: {exc.message}"
            ) from None
        except es_exc.AuthenticationException:
            raise UnreachableError(
                f"Elasticsearch at {redact(url)} refused the credentials"
            ) from None
        except es_exc.ApiError as exc:  # a proxy or a starting node: 502, 503
            raise UnreachableError(
                f"Elasticsearch at {redact(url)} is not answering (HTTP {exc.meta.status})"
            ) from None
    return client


T = TypeVar("T")
# Seconds between tries of a single write the cluster refuses for a moment.
REFUSED_PAUSES = (1.0, 2.0, 4.0, 8.0, 16.0)


def refusals_waited_out(call: Callable[[], T]) -> T:
    """`call()`, tried again after a pause while the cluster answers 429 (its write queue is
    full: a busy node, not an error of the request). The client's own retries come at once,
    which a busy node refuses as fast; bulk writes have the helper's `retry_on_status`."""
    for pause in (*REFUSED_PAUSES, None):
        try:
            return call()
        except es_exc.ApiError as exc:
            if exc.meta.status != 429 or pause is None:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")
