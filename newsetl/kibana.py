"""Importing the Kibana saved objects (data view, saved search, dashboard) into a Kibana.

Posts `kibana/saved_objects.ndjson` to Kibana's saved-objects import API with overwrite, so a
re-import updates the objects in place. Credentials come from the environment and are never
printed: NEWSETL_KIBANA_USERNAME/PASSWORD, else NEWSETL_ES_API_KEY, else
NEWSETL_ES_USERNAME/PASSWORD (one stack, one set of users). TLS follows NEWSETL_ES_CA_CERTS and
NEWSETL_ES_VERIFY_CERTS.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsetl.config import Settings
from newsetl.es.client import redact

SAVED_OBJECTS = Path("kibana") / "saved_objects.ndjson"
DATA_VIEW_ID = "newsetl-news"
TIMEOUT_SECONDS = 60


class KibanaSettings(BaseSettings):
    """`NEWSETL_KIBANA_*` variables: where Kibana is and who imports."""

    model_config = SettingsConfigDict(env_prefix="NEWSETL_KIBANA_", extra="ignore")

    url: str = Field(default="http://localhost:5601", description="Kibana base URL.")
    username: str | None = Field(default=None, description="Basic-auth user for Kibana.")
    password: SecretStr | None = Field(default=None, description="Basic-auth password.")


class ImportFailedError(RuntimeError):
    """Kibana refused or could not take the objects; the message names no credential."""


def saved_objects(path: Path, alias: str) -> bytes:
    """The NDJSON to import, with the data view pointed at the configured alias."""
    lines = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        if obj["type"] == "index-pattern" and obj["id"] == DATA_VIEW_ID:
            obj["attributes"]["title"] = obj["attributes"]["name"] = alias
        lines.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode("utf-8")


def auth_header(kibana: KibanaSettings, es: Settings) -> dict[str, str]:
    def basic(user: str, password: SecretStr | None) -> dict[str, str]:
        secret = password.get_secret_value() if password else ""
        token = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}

    if kibana.username:
        return basic(kibana.username, kibana.password)
    if es.es_api_key:
        return {"Authorization": f"ApiKey {es.es_api_key.get_secret_value()}"}
    if es.es_username:
        return basic(es.es_username, es.es_password)
    return {}


def _multipart(data: bytes, filename: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/ndjson\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def import_saved_objects(kibana: KibanaSettings, es: Settings, path: Path) -> dict[str, Any]:
    """POST the objects to `/api/saved_objects/_import?overwrite=true`; the import summary."""
    body, boundary = _multipart(saved_objects(path, es.index), path.name)
    url = kibana.url.rstrip("/") + "/api/saved_objects/_import?overwrite=true"
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "kbn-xsrf": "true",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            **auth_header(kibana, es),
        },
    )
    context = None
    if es.es_ca_certs or not es.es_verify_certs:
        context = ssl.create_default_context(cafile=str(es.es_ca_certs or "") or None)
        if not es.es_verify_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
    where = redact(kibana.url)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS, context=context) as resp:
            answer = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        raise ImportFailedError(f"Kibana at {where} answered {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ImportFailedError(f"Kibana at {where} is unreachable: {reason}") from None
    if not answer.get("success"):
        errors = [
            f"{e.get('type')}/{e.get('id')}: {e.get('error', {}).get('type')}"
            for e in answer.get("errors", [])
        ]
        raise ImportFailedError(f"Kibana at {where} rejected objects: {'; '.join(errors)}")
    return {"kibana": where, "imported": answer.get("successCount", 0)}
