"""The index behind the alias: created once with the explicit mapping, swapped by reindex."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from elasticsearch import Elasticsearch


@cache
def index_body() -> dict[str, Any]:
    """Settings and mapping from `mapping.json`, the single definition of the schema."""
    return json.loads(files("newsetl.es").joinpath("mapping.json").read_text("utf-8"))


def new_index_name(alias: str, now: datetime | None = None) -> str:
    """`<alias>-<UTC timestamp to the microsecond>`: sortable, and unique per reindex."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S%f")
    return f"{alias}-{stamp}"


def versions(client: Elasticsearch, alias: str) -> list[str]:
    """Every index newsetl created for `alias`, oldest first (whether the alias has it or not)."""
    pattern = re.compile(rf"^{re.escape(alias)}-\d{{20}}$")
    found = client.indices.get(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)
    return sorted(name for name in found if pattern.match(name))


def swap_alias(client: Elasticsearch, alias: str, new: str) -> None:
    """Point the alias at `new` in one atomic request: searches never see no index."""
    actions: list[dict[str, Any]] = []
    if client.indices.exists_alias(name=alias):
        actions += [
            {"remove": {"index": old, "alias": alias}}
            for old in client.indices.get_alias(name=alias)
        ]
    actions.append({"add": {"index": new, "alias": alias, "is_write_index": True}})
    client.indices.update_aliases(actions=actions)


def create_index(client: Elasticsearch, name: str, *, replicas: int = 0) -> None:
    body = index_body()
    settings = {**body["settings"], "number_of_replicas": replicas}
    client.indices.create(index=name, settings=settings, mappings=body["mappings"])


def ensure_alias(client: Elasticsearch, alias: str, *, replicas: int = 0) -> str:
    """The index the alias writes to, creating `<alias>-<timestamp>` behind it on first use."""
    if client.indices.exists_alias(name=alias):
        return current_index(client, alias)
    if client.indices.exists(index=alias):
        raise ValueError(
            f"{alias!r} is a concrete index, not an alias; choose another NEWSETL_INDEX "
            "or reindex it behind an alias"
        )
    name = new_index_name(alias)
    create_index(client, name, replicas=replicas)
    client.indices.put_alias(index=name, name=alias, is_write_index=True)
    return name


def current_index(client: Elasticsearch, alias: str) -> str:
    found = client.indices.get_alias(name=alias)
    for index, data in found.items():
        if data["aliases"][alias].get("is_write_index", len(found) == 1):
            return str(index)
    raise ValueError(f"alias {alias!r} has no write index")


@contextmanager
def tuned_for_bulk(client: Elasticsearch, index: str) -> Iterator[None]:
    """No refreshes and no replicas while a large load runs; the old settings come back after,
    even when the load fails (replicas are then rebuilt once, not kept in step per request)."""
    keys = ["index.refresh_interval", "index.number_of_replicas"]
    found = client.indices.get_settings(index=index, name=keys, include_defaults=True)[index]
    before = {k: found.get("settings", {}).get("index", {}).get(k.split(".")[1]) for k in keys}
    defaults = found.get("defaults", {}).get("index", {})
    client.indices.put_settings(
        index=index, settings={"index": {"refresh_interval": "-1", "number_of_replicas": 0}}
    )
    try:
        yield
    finally:
        client.indices.put_settings(
            index=index,
            settings={
                "index": {
                    "refresh_interval": before["index.refresh_interval"]
                    or defaults.get("refresh_interval", "1s"),
                    "number_of_replicas": before["index.number_of_replicas"] or 0,
                }
            },
        )
