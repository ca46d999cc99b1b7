# Sourced by the other scripts: where things are.
CACHE_DIR="${MQTT_TRUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mqtt-conn-truth}"
# scripts/bootstrap.sh builds mosquitto-<version>/ and points mosquitto-current at it.
MOSQUITTO_21="${MOSQUITTO_21:-$CACHE_DIR/mosquitto-current/sbin/mosquitto}"
MOSQUITTO_20="${MOSQUITTO_20:-/usr/sbin/mosquitto}"
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONN_PLUGIN="$ROOT_DIR/plugins/conn-plugin"
SYS_INGESTER="$ROOT_DIR/bin/sys-ingester"
MQTT_LOAD="$ROOT_DIR/bin/mqtt-load"
# The plugin's statements as pgbench scripts (Sources/Tools/ConnSQL), for the benchmarks' baselines.
CONN_SQL="$ROOT_DIR/bin/conn-sql"
# Debian's interpreter, which sees python3-prometheus-client (a pyenv or venv python3 in PATH does not).
PYTHON3="${PYTHON3:-/usr/bin/python3}"
