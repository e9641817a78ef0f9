"""Monitoring inside a run: each loaded batch percolated against the saved watches, and the
run's new matches reported (log, artifact section, a Prefect notification block)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from elasticsearch import Elasticsearch
from prefect import task
from prefect.cache_policies import NONE

from newsetl import watch
from newsetl.es.watches import Match, record_matches


@task(cache_policy=NONE, persist_result=False)
def match_batch(
    client: Elasticsearch, alias: str, docs: Sequence[Mapping[str, Any]], run: str
) -> list[Match]:
    """One percolate request per batch; retried like a load (storing a match is idempotent)."""
    return record_matches(client, alias, docs, run)


def send(block_name: str, new: Sequence[Match], alias: str, run: str, logger: Any) -> bool:
    """Send the run's new matches through the Prefect notification block `block_name`
    (`<block-type-slug>/<name>`: `slack-webhook/news-desk`, `custom-webhook/alerts`, an
    e-mail block...). A failure is logged, not raised: the matches are stored either way and
    `newsetl watch matches` shows them."""
    from prefect.blocks.core import Block
    from prefect.blocks.notifications import NotificationBlock

    subject, body = watch.notification(new, alias, run)
    try:
        block: Any = Block.load(block_name)  # sync here; typed as maybe-async by Prefect
        if not isinstance(block, NotificationBlock):
            raise TypeError(f"{type(block).__name__} is not a notification block")
        notify: Any = block.notify  # synchronous in a sync flow (Prefect's async_dispatch)
        notify(body, subject=subject)
    except Exception as exc:  # a wrong name, an unreachable hook: the run itself succeeded
        logger.error("notification block %r failed: %s", block_name, exc)
        return False
    logger.info("sent %d new matches through %r", len(new), block_name)
    return True
