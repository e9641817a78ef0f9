"""The scheduled deployment of `ingest`: a cron schedule in a time zone, one run at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.ingest import configured
from newsetl.config import Settings

DEPLOYMENT = "newsetl-ingest"


def build_deployment(
    cron: str,
    timezone: str,
    *,
    raw_dir: str,
    index: str,
    batch_size: int,
    settings: Settings | None = None,
    connection: Mapping[str, Any] | None = None,
) -> RunnerDeployment:
    """`concurrency_limit=1` keeps a slow run from overlapping the next scheduled one; manual
    runs and other deployments are serialized by the write lock in the cluster
    (`newsetl.es.lock`), which a killed run cannot leave behind.

    The runs use the task runner `settings` names (the environment's when not given), and
    the `connection` options (those given on the command line; the runs read the others from
    the environment they inherit)."""
    parameters = {"raw_dir": raw_dir, "index": index, "batch_size": batch_size}
    deployment = configured(settings or Settings()).to_deployment(
        name=DEPLOYMENT,
        schedules=[Cron(cron, timezone=timezone)],
        parameters={**parameters, **(connection or {})},
        concurrency_limit=1,
        tags=["newsetl", f"index:{index}"],
        description="Index what is new or changed in the raw folder.",
    )
    return cast(RunnerDeployment, deployment)  # the sync call returns the object itself
