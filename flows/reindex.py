"""The `reindex` flow: a fresh versioned index from the raw files, then an atomic alias swap.

Searches keep answering from the old index until the swap; the old index (and its ledger) is
kept for rollback until `cleanup`.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch
from prefect import flow, get_run_logger
from pydantic import SecretStr

from flows.ingest import configured, run_id
from newsetl.config import Settings
from newsetl.es import ledger
from newsetl.es import lock as write_lock
from newsetl.es.client import connect
from newsetl.es.indices import create_index, current_index, new_index_name, swap_alias, versions
from newsetl.es.learned import learned_name


class ReindexError(RuntimeError):
    """The new index came out smaller than the one it would replace; the alias was left alone."""


@flow(name="reindex")
def reindex(
    raw_dir: str | None = None,
    index: str | None = None,
    batch_size: int | None = None,
    cleanup: bool = False,
    allow_shrink: bool = False,
    es_url: SecretStr | None = None,
    es_ca_certs: str | None = None,
    state_dir: str | None = None,
    local_port: int | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Build a new index from the raw folder, then point the alias at it. The connection
    parameters are `ingest`'s, passed on to it."""
    connection = {
        "es_url": es_url,
        "es_ca_certs": es_ca_certs,
        "state_dir": state_dir,
        "local_port": local_port,
        "source": source,
    }
    settings = Settings.with_overrides(
        raw_dir=raw_dir,
        index=index,
        batch_size=batch_size,
        **{**connection, "es_url": es_url.get_secret_value() if es_url else None},
    )
    logger = get_run_logger()
    client = connect(settings)
    alias = settings.index
    if not client.indices.exists_alias(name=alias):
        return _rebuild(
            client, settings, connection, None, raw_dir, batch_size, cleanup, allow_shrink
        )

    def live() -> str:
        return current_index(client, alias)

    # The live index's lock, held until the swap: a run cannot write into the index being
    # replaced (its writes would be lost with it); one waiting for it writes into the new one.
    with write_lock.hold_live(client, live, run=run_id(), log=logger.warning) as lock:
        return _rebuild(
            client, settings, connection, lock.index, raw_dir, batch_size, cleanup, allow_shrink
        )


def _rebuild(
    client: Elasticsearch,
    settings: Settings,
    connection: dict[str, Any],
    old: str | None,
    raw_dir: str | None,
    batch_size: int | None,
    cleanup: bool,
    allow_shrink: bool,
) -> dict[str, Any]:
    logger = get_run_logger()
    alias = settings.index
    new = new_index_name(alias)
    create_index(client, new, replicas=settings.replicas)
    counts = configured(settings)(
        **connection, raw_dir=raw_dir, index=alias, batch_size=batch_size, into=new
    )
    new_count = client.count(index=new)["count"]
    old_count = client.count(index=old)["count"] if old else 0
    if new_count < old_count and not allow_shrink:
        client.indices.delete(
            index=[new, ledger.ledger_name(new), learned_name(new)], ignore_unavailable=True
        )
        raise ReindexError(
            f"{new} has {new_count} documents, fewer than the {old_count} of {old}; alias "
            "unchanged. Run with --prune first if files were removed, or pass --allow-shrink."
        )
    swap_alias(client, alias, new)
    logger.info("alias %s now points at %s (%d documents; was %s)", alias, new, new_count, old)
    removed: list[str] = []
    if cleanup:
        removed = [name for name in versions(client, alias) if name != new]
        for name in removed:
            client.indices.delete(
                index=[name, ledger.ledger_name(name), learned_name(name)],
                ignore_unavailable=True,
            )
    return {"index": new, "previous": old, "documents": new_count, "removed": removed, **counts}
