"""docker-compose.yml cannot run here; check that it parses and is consistent with .env.example."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
ENV_EXAMPLE = dict(
    line.split("=", 1)
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


def _variables() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text()
    return set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", text))


def test_services_present_with_healthchecks() -> None:
    services = COMPOSE["services"]
    assert {"elasticsearch", "kibana", "setup", "newsetl"} <= set(services)
    assert "healthcheck" in services["elasticsearch"] and "healthcheck" in services["kibana"]
    assert services["elasticsearch"]["image"].startswith("docker.elastic.co/elasticsearch/")
    assert services["kibana"]["image"].startswith("docker.elastic.co/kibana/")


def test_every_variable_is_documented_and_no_password_committed() -> None:
    assert _variables() <= set(ENV_EXAMPLE), _variables() - set(ENV_EXAMPLE)
    for key in ("ELASTIC_PASSWORD", "KIBANA_PASSWORD", "KIBANA_ENCRYPTION_KEY"):
        assert ENV_EXAMPLE[key] == "", f"{key} must not be committed with a value"
    assert ENV_EXAMPLE["STACK_VERSION"].startswith("9.")


def test_security_on_and_kibana_uses_kibana_system() -> None:
    es_env = COMPOSE["services"]["elasticsearch"]["environment"]
    assert "xpack.security.enabled=true" in es_env
    kb_env = COMPOSE["services"]["kibana"]["environment"]
    assert "ELASTICSEARCH_USERNAME=kibana_system" in kb_env
    assert COMPOSE["services"]["kibana"]["depends_on"]["setup"]["condition"] == (
        "service_completed_successfully"
    )


def test_ports_bound_to_loopback() -> None:
    for service in COMPOSE["services"].values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port


def test_newsetl_service_points_at_the_cluster() -> None:
    env = dict(e.split("=", 1) for e in COMPOSE["services"]["newsetl"]["environment"])
    assert env["NEWSETL_ES_URL"] == "http://elasticsearch:9200"
    assert env["NEWSETL_ES_PASSWORD"].startswith("${ELASTIC_PASSWORD")


def test_kibana_objects_imported_once_kibana_is_healthy() -> None:
    service = COMPOSE["services"]["kibana-import"]
    assert service["depends_on"]["kibana"]["condition"] == "service_healthy"
    assert service["command"][:3] == ["newsetl", "kibana", "import"]
    env = dict(e.split("=", 1) for e in service["environment"])
    assert env["NEWSETL_KIBANA_URL"] == "http://kibana:5601"
    assert env["NEWSETL_KIBANA_PASSWORD"].startswith("${ELASTIC_PASSWORD")
    mount, target, _ = service["volumes"][0].split(":")
    assert (ROOT / mount / "saved_objects.ndjson").is_file()
    assert service["command"][-1] == f"{target}/saved_objects.ndjson"


def test_prefect_server_and_worker_run_the_deployment() -> None:
    services = COMPOSE["services"]
    assert "prefect server start" in " ".join(services["prefect-server"]["command"])
    worker = services["newsetl-worker"]
    env = dict(e.split("=", 1) for e in worker["environment"])
    assert env["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    script = " ".join(worker["command"])
    for step in (
        "work-pool create newsetl-pool",
        "deploy --all",
        "worker start --pool newsetl-pool",
    ):
        assert step in script
    deployments = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    [ingest] = deployments
    assert ingest["entrypoint"] == "flows/ingest.py:ingest"
    assert ingest["work_pool"]["name"] == "newsetl-pool" and ingest["concurrency_limit"] == 1
    assert {"cron", "timezone"} <= set(ingest["schedules"][0])
    from flows.ingest import ingest as flow

    assert set(ingest["parameters"]) <= set(flow.parameters.properties)
