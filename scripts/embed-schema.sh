#!/usr/bin/env bash
# Regenerates Sources/ConnRecorder/ConnSchema.swift from schema/*.sql.
# ConnSchemaTests fails when the two differ, so run this after editing schema/.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import pathlib
root = pathlib.Path('schema')
def lit(name):
    text = (root / name).read_text()
    assert '"""' not in text and '\\' not in text, name + " cannot be embedded as a raw literal"
    return text
body = '''// Generated from schema/ by scripts/embed-schema.sh; a unit test checks they match.
// The plugin cannot read files next to its source at run time, so the SQL travels inside it.

/// The SQL files of schema/ that the plugin applies at start.
package enum ConnSchema {
    /// schema/001_conn_plugin.sql: the tables of seed 000, section 3.
    package static let tables = """
%s"""

    /// schema/002_conn_plugin_keys.sql: the unique index that makes replays idempotent.
    package static let eventKeyIndex = """
%s"""
}
''' % (lit('001_conn_plugin.sql'), lit('002_conn_plugin_keys.sql'))
pathlib.Path('Sources/ConnRecorder/ConnSchema.swift').write_text(body)
PY
