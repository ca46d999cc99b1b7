#!/usr/bin/env bash
# Regenerates Sources/SysIngest/IngestSchema.swift from schema/001, 010 and 020.
# IngestSchemaTests fails when they differ, so run this after editing those files.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import pathlib
files = [
    ("connPlugin", "schema/001_conn_plugin.sql", "the conn-plugin's tables, which the views of 020 read"),
    ("sysIngester", "schema/010_sys_ingester.sql", "the WatchMQTT tables of seed 001"),
    ("views", "schema/020_views.sql", "the views for the typical reads"),
]
out = ['''// Generated from schema/ by scripts/embed-ingest-schema.sh; IngestSchemaTests checks that each
// constant equals its file byte for byte, so run the script after editing those files.

/// The SQL the ingester applies at start, in order, when one of its relations is missing.
package enum IngestSchema {
    /// Every file in the order it must be applied (the views read the tables).
    package static let all: [(file: String, sql: String)] = [
        ("schema/001_conn_plugin.sql", connPlugin),
        ("schema/010_sys_ingester.sql", sysIngester),
        ("schema/020_views.sql", views),
    ]

    /// The relations the ingester needs; if any is missing the whole schema is applied.
    package static let requiredRelations = [
        "broker_metrics", "events", "clients", "sessions", "subscriptions", "client_conn_events", "client_sessions",
        "connected_now", "live_subscriptions", "latest_metrics", "connects_per_minute", "recent_activity",
        "conn_online_now", "conn_frequent_droppers",
    ]
''']
for name, path, doc in files:
    text = pathlib.Path(path).read_text()
    assert text.endswith("\n") and '"""#' not in text, path + " cannot be embedded as a raw literal"
    out.append('\n    /// `%s`: %s.\n    package static let %s = #"""\n%s\n"""#\n' % (path, doc, name, text))
out.append("}\n")
pathlib.Path("Sources/SysIngest/IngestSchema.swift").write_text("".join(out))
PY
