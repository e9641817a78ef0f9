"""Kibana cannot run here: check the saved objects against themselves and the mapping, and the
import command against a local HTTP server that records what Kibana would receive."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from newsetl.cli import main
from newsetl.config import Settings
from newsetl.es.indices import index_body
from newsetl.kibana import (
    DATA_VIEW_ID,
    ImportFailedError,
    KibanaSettings,
    import_saved_objects,
)

ROOT = Path(__file__).resolve().parents[1]
NDJSON = ROOT / "kibana" / "saved_objects.ndjson"
OBJECTS = [json.loads(line) for line in NDJSON.read_text("utf-8").splitlines() if line.strip()]
BY_KEY = {(o["type"], o["id"]): o for o in OBJECTS}


def _flatten(properties: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Dotted field name -> type, subfields (`title.exact`) included."""
    out: dict[str, str] = {}
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        if "properties" in spec:
            out.update(_flatten(spec["properties"], f"{path}."))
            continue
        out[path] = spec["type"]
        out.update({f"{path}.{sub}": s["type"] for sub, s in spec.get("fields", {}).items()})
    return out


FIELDS = _flatten(index_body()["mappings"]["properties"])


def _of_type(kind: str) -> list[dict[str, Any]]:
    return [o for o in OBJECTS if o["type"] == kind]


def _fields_named(obj: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(field, required mapping type or None) for every field an object names."""
    attrs = obj["attributes"]
    kind = obj["type"]
    if kind == "index-pattern":
        named: list[tuple[str, str | None]] = [(attrs["timeFieldName"], "date")]
        named += [(f, None) for f in json.loads(attrs["fieldFormatMap"])]
        named += [(f, None) for f in json.loads(attrs["fieldAttrs"])]
        return named + [(f["value"], None) for f in json.loads(attrs["sourceFilters"])]
    if kind == "search":
        return [(c, None) for c in attrs["columns"]] + [(s[0], None) for s in attrs["sort"]]
    if kind == "lens":
        required = {"terms": "keyword", "date_histogram": "date"}
        layers = attrs["state"]["datasourceStates"]["formBased"]["layers"].values()
        return [
            (col["sourceField"], required.get(col["operationType"]))
            for layer in layers
            for col in layer["columns"].values()
            if col["sourceField"] != "___records___"
        ]
    if kind == "map":
        named = []
        for layer in json.loads(attrs["layerListJSON"]):
            source = layer["sourceDescriptor"]
            if source["type"] == "ES_SEARCH":
                named.append((source["geoField"], "geo_point"))
                named += [(f, None) for f in source["tooltipProperties"]]
                named.append((source["sortField"], None))
        return named
    return []


def test_objects_parse_are_unique_and_cover_the_dashboard() -> None:
    assert len(BY_KEY) == len(OBJECTS)
    for obj in OBJECTS:
        assert {"id", "type", "attributes", "references"} <= set(obj)
        assert obj["coreMigrationVersion"] == "8.8.0" and obj["typeMigrationVersion"]
    view = BY_KEY[("index-pattern", DATA_VIEW_ID)]["attributes"]
    # Every document has `first_seen_at`; an undated one would be invisible by `published_at`.
    assert (view["title"], view["timeFieldName"]) == ("news", "first_seen_at")
    assert json.loads(view["fieldFormatMap"])["published_at"]["id"] == "date"
    (saved_search,) = _of_type("search")
    assert saved_search["attributes"]["title"] == "Latest articles"
    (dashboard,) = _of_type("dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    kinds = sorted(p["type"] for p in panels)
    assert kinds == ["lens", "lens", "lens", "lens", "lens", "map", "search"]
    republished = BY_KEY[("lens", "newsetl-most-republished")]["attributes"]
    # Copies are counted per story when Kibana asks (no member stores its story's size).
    cols = republished["state"]["datasourceStates"]["formBased"]["layers"]["layer1"]["columns"]
    assert (cols["story"]["sourceField"], cols["copies"]["operationType"]) == ("story_id", "count")
    assert cols["story"]["params"]["orderBy"] == {"type": "column", "columnId": "copies"}


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: o["id"])
def test_every_reference_resolves(obj: dict[str, Any]) -> None:
    names = {r["name"]: r for r in obj["references"]}
    for ref in obj["references"]:
        assert (ref["type"], ref["id"]) in BY_KEY, ref
    attrs = obj["attributes"]
    if obj["type"] == "dashboard":
        for panel in json.loads(attrs["panelsJSON"]):
            ref = names[f"{panel['panelIndex']}:{panel['panelRefName']}"]
            assert ref["type"] == panel["type"]
    if obj["type"] == "lens":
        for layer in attrs["state"]["datasourceStates"]["formBased"]["layers"]:
            assert names[f"indexpattern-datasource-layer-{layer}"]["type"] == "index-pattern"
    if obj["type"] == "map":
        for layer in json.loads(attrs["layerListJSON"]):
            if "indexPatternRefName" in layer["sourceDescriptor"]:
                assert layer["sourceDescriptor"]["indexPatternRefName"] in names
    if obj["type"] == "search":
        source = json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert names[source["indexRefName"]]["type"] == "index-pattern"


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: o["id"])
def test_every_field_named_exists_in_the_mapping(obj: dict[str, Any]) -> None:
    for name, required in _fields_named(obj):
        assert name in FIELDS, f"{obj['id']} names {name!r}, not in mapping.json"
        if required:
            assert FIELDS[name] == required, f"{obj['id']}: {name} is {FIELDS[name]}"


# --- the import command -------------------------------------------------------------------------


class _FakeKibana(BaseHTTPRequestHandler):
    """Records the import request and answers like Kibana's saved-objects import API."""

    requests: ClassVar[list[dict[str, Any]]] = []
    status: ClassVar[int] = 200
    answer: ClassVar[dict[str, Any]] = {}

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append({"path": self.path, "headers": self.headers, "body": body})
        payload = json.dumps(self.answer).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def kibana(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_FakeKibana]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeKibana)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeKibana.requests = []
    _FakeKibana.status = 200
    _FakeKibana.answer = {"success": True, "successCount": len(OBJECTS)}
    monkeypatch.setenv("NEWSETL_KIBANA_URL", f"http://127.0.0.1:{server.server_address[1]}")
    for var in ("NEWSETL_ES_API_KEY", "NEWSETL_ES_USERNAME", "NEWSETL_ES_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    yield _FakeKibana
    server.shutdown()
    server.server_close()


def _uploaded(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The NDJSON file inside the multipart body, parsed."""
    head = f"Content-Type: {request['headers']['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request["body"])
    (part,) = message.iter_parts()  # type: ignore[attr-defined]
    assert part.get_param("name", header="content-disposition") == "file"
    assert part.get_filename() == "saved_objects.ndjson"
    text = part.get_payload(decode=True).decode("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_import_posts_the_objects_with_overwrite_and_xsrf(
    kibana: type[_FakeKibana], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSETL_KIBANA_USERNAME", "elastic")
    monkeypatch.setenv("NEWSETL_KIBANA_PASSWORD", "s3cret-pw")
    assert main(["kibana", "import", "--index", "articles", "--file", str(NDJSON), "--json"]) == 0
    (request,) = kibana.requests
    assert request["path"] == "/api/saved_objects/_import?overwrite=true"
    assert request["headers"]["kbn-xsrf"] == "true"
    assert request["headers"]["Authorization"] == "Basic ZWxhc3RpYzpzM2NyZXQtcHc="
    sent = _uploaded(request)
    assert [(o["type"], o["id"]) for o in sent] == list(BY_KEY)
    view = next(o for o in sent if o["id"] == DATA_VIEW_ID)["attributes"]
    assert view["title"] == view["name"] == "articles"
    out = capsys.readouterr()
    assert json.loads(out.out)["imported"] == len(OBJECTS)
    assert "s3cret-pw" not in out.out + out.err


def test_import_falls_back_to_the_elasticsearch_api_key(
    kibana: type[_FakeKibana], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSETL_ES_API_KEY", "aWQ6a2V5")
    import_saved_objects(KibanaSettings(), Settings(), NDJSON)
    assert kibana.requests[0]["headers"]["Authorization"] == "ApiKey aWQ6a2V5"


@pytest.mark.parametrize(
    ("status", "answer", "message"),
    [
        (401, {"message": "unauthorized"}, "answered 401"),
        (
            200,
            {"success": False, "errors": [{"type": "lens", "id": "x", "error": {"type": "bad"}}]},
            "lens/x: bad",
        ),
    ],
)
def test_import_failures_are_reported_without_credentials(
    kibana: type[_FakeKibana],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    status: int,
    answer: dict[str, Any],
    message: str,
) -> None:
    kibana.status, kibana.answer = status, answer
    monkeypatch.setenv("NEWSETL_KIBANA_USERNAME", "elastic")
    monkeypatch.setenv("NEWSETL_KIBANA_PASSWORD", "s3cret-pw")
    with pytest.raises(ImportFailedError, match=message) as failure:
        import_saved_objects(KibanaSettings(), Settings(), NDJSON)
    assert "s3cret-pw" not in str(failure.value)
    assert main(["kibana", "import", "--file", str(NDJSON)]) == 1
    assert "s3cret-pw" not in capsys.readouterr().err


def test_unreachable_kibana(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSETL_KIBANA_URL", "http://user:pw@127.0.0.1:9")
    with pytest.raises(ImportFailedError, match="unreachable") as failure:
        import_saved_objects(KibanaSettings(), Settings(), NDJSON)
    assert "pw" not in str(failure.value)
