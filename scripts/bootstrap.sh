#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian 12 machine, idempotently:
#   - Debian packages (PostgreSQL 15, libpq, Debian's mosquitto 2.0.11 and its
#     client library/headers, build tools; python3-prometheus-client, the
#     reference parser the tests read /metrics with; systemd-analyze);
#   - mosquitto 2.1 or later built from Debian sid's source package (the plugin
#     needs MOSQ_EVT_CONNECT, which 2.0.x lacks), cached outside the repository in
#     mosquitto-<version>/, with mosquitto-current -> mosquitto-<version> for
#     scripts/paths.sh.
# Prints nothing but progress; every later run is a few stat() calls.
#   MOSQ_DEB_VERSION=2.1.2-3   build that Debian version instead of the newest sid has
set -euo pipefail

# The newest source sid offers unless pinned: a pinned version disappears from sid
# when a new upload replaces it, and then every fresh machine would fail.
MOSQ_DEB_VERSION="${MOSQ_DEB_VERSION:-}"
MOSQ_MINIMUM="2.1"
MOSQ_KNOWN_GOOD="2.1.2"
CACHE_DIR="${MQTT_TRUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mqtt-conn-truth}"
# Keep in step with scripts/paths.sh.
MOSQ_CURRENT="$CACHE_DIR/mosquitto-current"

say() { printf '[bootstrap] %s\n' "$*" >&2; }

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then echo sudo; else
            say "Error: installing packages needs root (or sudo)."; exit 1
        fi
    fi
}

# --- Debian packages -------------------------------------------------------
PACKAGES=(
    postgresql-15 postgresql-client-15 libpq-dev
    # pg_partman: daily partitions of client_conn_events (scripts/partition-conn-events.sh, optional).
    postgresql-15-partman
    mosquitto mosquitto-dev libmosquitto-dev mosquitto-clients
    cmake pkg-config libssl-dev libcjson-dev uthash-dev libargon2-dev libedit-dev
    libmicrohttpd-dev dpkg-dev
    python3 python3-prometheus-client
    # systemd-analyze, which checks the unit `make install` generates (the tests run it).
    systemd
    # Prometheus's own server scrapes sys-ingester's /metrics in the tests; curl asks its API.
    prometheus curl
    # `make bench` reads mqtt-load's JSON with jq; scripts/profile-callgrind.sh counts instructions.
    jq valgrind
    # The dashboard's browser tests: headless chromium driven by selenium (Tests/IntegrationTests/Dashboard*).
    chromium chromium-driver python3-selenium
)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    SUDO="$(need_root)"
    say "installing Debian packages: ${missing[*]}"
    # The Debian mosquitto package would start a system broker on :1883; we
    # never use it, so keep policy-rc.d from starting services during install.
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Stop the packaged services so they neither hold ports nor confuse tests.
    for svc in mosquitto postgresql prometheus; do
        if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
            $SUDO systemctl stop "$svc" || true
        fi
        $SUDO service "$svc" stop >/dev/null 2>&1 || true
    done
fi

# --- mosquitto 2.1 from Debian's source package ----------------------------
built() { [ -x "$1/sbin/mosquitto" ] && [ -f "$1/include/mosquitto_broker.h" ]; }
# Debian version -> upstream version: 1:2.1.2-3 -> 2.1.2.
upstream_of() { local v="${1#*:}"; echo "${v%-*}"; }
use() {
    ln -sfn "mosquitto-$1" "$MOSQ_CURRENT"
    say "mosquitto $1 ready: $MOSQ_CURRENT/sbin/mosquitto"
}
# A build that is already there, without asking the archive: the one mosquitto-current
# names, or (caches made before mosquitto-current existed) the newest built 2.1+.
cached() {
    if [ -n "$MOSQ_DEB_VERSION" ]; then
        local want; want="$(upstream_of "$MOSQ_DEB_VERSION")"
        built "$CACHE_DIR/mosquitto-$want" || return 1
        [ "$(readlink "$MOSQ_CURRENT" 2>/dev/null)" = "mosquitto-$want" ] || use "$want"
        return 0
    fi
    built "$MOSQ_CURRENT" && return 0
    local dir v best=""
    for dir in "$CACHE_DIR"/mosquitto-[0-9]*; do
        v="${dir##*/mosquitto-}"
        built "$dir" && dpkg --compare-versions "$v" ge "$MOSQ_MINIMUM" || continue
        if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best="$v"; fi
    done
    [ -n "$best" ] || return 1
    use "$best"
}
cached && exit 0
mkdir -p "$CACHE_DIR"
# One build at a time per cache; whoever waited finds the other's build.
exec 9>"$CACHE_DIR/.bootstrap.lock"
flock 9
cached && exit 0

SUDO="$(need_root)"
work="$CACHE_DIR/build-mosquitto"
rm -rf "$work"; mkdir -p "$work/lists/partial" "$work/src"
# A private apt configuration that only knows sid's *source* index, so no sid
# binary package can ever be installed by this step.
archive="$( { grep -hE '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
               | awk '{print $2}'; grep -hE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list \
               /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}'; } \
             | grep -E '/debian/?$' | head -n1 || true)"
archive="${archive:-http://deb.debian.org/debian}"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${archive%/} sid main" > "$work/sources.list"
APT_OPTS=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
          -o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root")
apt-get "${APT_OPTS[@]}" update -qq >/dev/null
deb_version="$MOSQ_DEB_VERSION"
if [ -z "$deb_version" ]; then
    for v in $(apt-cache "${APT_OPTS[@]}" showsrc --only-source mosquitto 2>/dev/null \
               | awk '$1 == "Version:" {print $2}'); do
        if [ -z "$deb_version" ] || dpkg --compare-versions "$v" gt "$deb_version"; then deb_version="$v"; fi
    done
    [ -n "$deb_version" ] || { say "Error: Debian sid ($archive) lists no mosquitto source package."; exit 1; }
fi
version="$(upstream_of "$deb_version")"
if ! dpkg --compare-versions "$version" ge "$MOSQ_MINIMUM"; then
    rm -rf "$work"
    origin="Debian sid offers"; [ -n "$MOSQ_DEB_VERSION" ] && origin="MOSQ_DEB_VERSION asks for"
    say "Error: $origin mosquitto $deb_version; the plugin needs $MOSQ_MINIMUM or later." \
        "Build mosquitto $MOSQ_MINIMUM+ yourself and set MOSQUITTO_21=/path/to/sbin/mosquitto."
    exit 1
fi
case " $MOSQ_KNOWN_GOOD " in
*" $version "*) ;;
*) say "note: mosquitto $version is newer than the versions tested here ($MOSQ_KNOWN_GOOD)." ;;
esac
prefix="$CACHE_DIR/mosquitto-$version"
if built "$prefix"; then rm -rf "$work"; use "$version"; exit 0; fi
say "building mosquitto $version (Debian $deb_version) from Debian's source package into $prefix"
(cd "$work/src" && apt-get "${APT_OPTS[@]}" source --download-only -qq "mosquitto=$deb_version" >/dev/null)
tarball="$(ls "$work/src"/mosquitto_"$version".orig.tar.* | head -n1)"
tar -xf "$tarball" -C "$work/src"
srcdir="$(find "$work/src" -mindepth 1 -maxdepth 1 -type d | head -n1)"
rm -rf "$prefix"
cmake -S "$srcdir" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DWITH_TESTS=OFF -DWITH_DOCS=OFF -DWITH_APPS=OFF -DWITH_PLUGINS=OFF -DWITH_CTRL_SHELL=OFF \
    -DWITH_WEBSOCKETS=OFF -DWITH_LTO=OFF >"$work/cmake.log" 2>&1 \
    || { say "Error: cmake configure failed, see $work/cmake.log"; exit 1; }
cmake --build "$work/build" -j"$(nproc)" >"$work/build.log" 2>&1 \
    || { say "Error: mosquitto build failed, see $work/build.log"; exit 1; }
cmake --install "$work/build" >"$work/install.log" 2>&1 \
    || { say "Error: mosquitto install failed, see $work/install.log"; exit 1; }
# The 2.1 plugin headers, kept beside the binary for reference builds; copied last,
# so built() never accepts a half-finished install.
mkdir -p "$prefix/include"
cp -r "$srcdir/include/." "$prefix/include/"
rm -rf "$work"
use "$version"
