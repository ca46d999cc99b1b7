#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian 12 machine, idempotently:
#   - Debian packages (PostgreSQL 15, libpq, Debian's mosquitto 2.0.11 and its
#     client library/headers, build tools, systemd-analyze);
#   - mosquitto 2.1.x built from Debian's source package (the plugin needs
#     MOSQ_EVT_CONNECT, which 2.0.x lacks), cached outside the repository.
# Prints nothing but progress; every later run is a few stat() calls.
set -euo pipefail

MOSQ_VERSION="${MOSQ_VERSION:-2.1.2}"
MOSQ_DEB_VERSION="${MOSQ_DEB_VERSION:-2.1.2-3}"
CACHE_DIR="${MQTT_TRUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mqtt-conn-truth}"
MOSQ_PREFIX="$CACHE_DIR/mosquitto-$MOSQ_VERSION"

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
    mosquitto mosquitto-dev libmosquitto-dev mosquitto-clients
    cmake pkg-config libssl-dev libcjson-dev uthash-dev libargon2-dev libedit-dev
    libmicrohttpd-dev dpkg-dev
    # systemd-analyze, which checks the unit `make install` generates (the tests run it).
    systemd
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
    for svc in mosquitto postgresql; do
        if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
            $SUDO systemctl stop "$svc" || true
        fi
        $SUDO service "$svc" stop >/dev/null 2>&1 || true
    done
fi

# --- mosquitto 2.1 from Debian's source package ----------------------------
if [ -x "$MOSQ_PREFIX/sbin/mosquitto" ] && [ -f "$MOSQ_PREFIX/include/mosquitto_broker.h" ]; then
    exit 0
fi
SUDO="$(need_root)"
say "building mosquitto $MOSQ_VERSION from Debian's source package into $MOSQ_PREFIX"
work="$CACHE_DIR/build-mosquitto-$MOSQ_VERSION"
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
(cd "$work/src" && apt-get "${APT_OPTS[@]}" source --download-only -qq "mosquitto=$MOSQ_DEB_VERSION" >/dev/null)
tarball="$(ls "$work/src"/mosquitto_"$MOSQ_VERSION".orig.tar.* | head -n1)"
tar -xf "$tarball" -C "$work/src"
srcdir="$(find "$work/src" -mindepth 1 -maxdepth 1 -type d | head -n1)"
cmake -S "$srcdir" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$MOSQ_PREFIX" \
    -DWITH_TESTS=OFF -DWITH_DOCS=OFF -DWITH_APPS=OFF -DWITH_PLUGINS=OFF -DWITH_CTRL_SHELL=OFF \
    -DWITH_WEBSOCKETS=OFF -DWITH_LTO=OFF >"$work/cmake.log" 2>&1 \
    || { say "Error: cmake configure failed, see $work/cmake.log"; exit 1; }
cmake --build "$work/build" -j"$(nproc)" >"$work/build.log" 2>&1 \
    || { say "Error: mosquitto build failed, see $work/build.log"; exit 1; }
cmake --install "$work/build" >"$work/install.log" 2>&1 \
    || { say "Error: mosquitto install failed, see $work/install.log"; exit 1; }
# The 2.1 plugin headers, kept beside the binary for reference builds.
mkdir -p "$MOSQ_PREFIX/include"
cp -r "$srcdir/include/." "$MOSQ_PREFIX/include/"
rm -rf "$work"
say "mosquitto $MOSQ_VERSION ready: $MOSQ_PREFIX/sbin/mosquitto"
