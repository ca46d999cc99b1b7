#!/usr/bin/env bash
# Regenerates Sources/SchemaSQL/SchemaFiles.swift from schema/*.sql. The programs carry their SQL
# inside them (a broker plugin cannot read files next to its source); SchemaFilesTests fails when
# a constant differs from its file, so run this after editing schema/.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import pathlib
files = [
    ("connPluginTables", "schema/001_conn_plugin.sql", "the conn-plugin's tables, exactly seed 000 section 3"),
    ("connPluginKeys", "schema/002_conn_plugin_keys.sql", "the unique index that makes the plugin's replays idempotent"),
    ("sysIngesterTables", "schema/010_sys_ingester.sql", "the WatchMQTT tables of seed 001"),
    ("views", "schema/020_views.sql", "the views for the typical reads of both programs"),
]
out = ['''// Generated from schema/ by scripts/embed-schema.sh; SchemaFilesTests checks that each constant
// equals its file byte for byte, so run the script after editing schema/.

/// The SQL files of schema/, embedded.
package enum SchemaFiles {
    /// Every file, in the order it must be applied (the views read the tables).
    package static let all: [(file: String, sql: String)] = [
%s    ]
''' % "".join('        ("%s", %s),\n' % (path, name) for name, path, _ in files)]
for name, path, doc in files:
    text = pathlib.Path(path).read_text()
    assert text.endswith("\n") and '"""#' not in text, path + " cannot be embedded as a raw literal"
    out.append('\n    /// `%s`: %s.\n    package static let %s = #"""\n%s\n"""#\n' % (path, doc, name, text))
out.append("}\n")
pathlib.Path("Sources/SchemaSQL/SchemaFiles.swift").write_text("".join(out))
PY
