"""A Prometheus textfile (node_exporter's textfile collector) saying how each key is doing."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrievers.state import AccountState


def write_metrics(path: Path, rows: Sequence[AccountState]) -> None:
    """Written atomically by the client library (temporary file, then rename)."""
    from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

    registry = CollectorRegistry()
    labels = ["portal", "account"]
    expiry = Gauge("key_retriever_key_expiry_timestamp_seconds",
                   "When the stored key expires (Unix time), where known", labels,
                   registry=registry)
    days_left = Gauge("key_retriever_key_days_left", "Whole days before the stored key expires",
                      labels, registry=registry)
    valid = Gauge("key_retriever_key_valid",
                  "1 when a key is stored and trusted, 0 when none or possibly replaced",
                  labels, registry=registry)
    retrieved = Gauge("key_retriever_last_success_timestamp_seconds",
                      "When the key was last read from the portal and stored (Unix time)",
                      labels, registry=registry)
    outcome = Gauge("key_retriever_last_outcome", "1 for the outcome of the last attempt",
                    [*labels, "outcome"], registry=registry)
    pending = Gauge("key_retriever_deploy_pending",
                    "1 when the deploy hook has not yet taken the current key", labels,
                    registry=registry)
    for row in rows:
        who = (row.portal, row.account)
        if row.expires_at is not None:
            expiry.labels(*who).set(row.expires_at.timestamp())
            days_left.labels(*who).set(row.days_left() or 0)
        valid.labels(*who).set(1 if row.valid else 0)
        if row.retrieved_at is not None:
            retrieved.labels(*who).set(row.retrieved_at.timestamp())
        if row.last_outcome:
            outcome.labels(*who, row.last_outcome).set(1)
        pending.labels(*who).set(1 if row.deploy_pending else 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)
    os.chmod(path, 0o644)  # no secret in it, and node_exporter runs as another user
