"""The scheduled deployment of `ingest`: a cron schedule in a time zone, one run at a time."""

from __future__ import annotations

from typing import cast

from prefect.client.orchestration import get_client
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.ingest import ingest, write_tag

DEPLOYMENT = "newsetl-ingest"


def build_deployment(
    cron: str, timezone: str, *, raw_dir: str, index: str, batch_size: int
) -> RunnerDeployment:
    """`concurrency_limit=1` keeps a slow run from overlapping the next scheduled one."""
    deployment = ingest.to_deployment(
        name=DEPLOYMENT,
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"raw_dir": raw_dir, "index": index, "batch_size": batch_size},
        concurrency_limit=1,
        tags=["newsetl", f"index:{index}"],
        description="Index what is new or changed in the raw folder.",
    )
    return cast(RunnerDeployment, deployment)  # the sync call returns the object itself


def ensure_write_limit(index: str) -> None:
    """A tag concurrency limit of 1 on the index's write tasks: across deployments and manual
    runs alike, two runs never write the same index at once."""
    with get_client(sync_client=True) as client:
        client.create_concurrency_limit(tag=write_tag(index), concurrency_limit=1)
