#!/usr/bin/env bash
# Make a Docker engine and the Compose v2 CLI plugin available.
#
# Idempotent: an engine that already answers is never touched. Where the engine
# is missing, and only as root on Debian, it installs Debian's docker.io, the
# Compose v2 plugin from Debian trixie (pinned low so nothing else moves), starts
# dockerd in the background and waits for its socket with a deadline.
# Anywhere else it stops with one line saying what to install.
set -euo pipefail

DEADLINE_S=${ORDERFLOW_ENGINE_DEADLINE_S:-60}
LOG=${ORDERFLOW_DOCKERD_LOG:-/var/log/orderflow-dockerd.log}

say() { printf 'bootstrap-engine: %s\n' "$*"; }
die() { printf 'bootstrap-engine: error: %s\n' "$*" >&2; exit 1; }

engine_answers() { docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }
compose_v2() { docker compose version --short 2>/dev/null | grep -Eq '^v?2\.'; }

can_install() {
  [ "$(id -u)" = 0 ] || die "no Docker engine answers and this is not root. Hint: install Docker Engine and the Compose v2 plugin (https://docs.docker.com/engine/install/), then start it."
  [ -r /etc/debian_version ] && command -v apt-get >/dev/null \
    || die "no Docker engine answers and this is not Debian. Hint: install Docker Engine and the Compose v2 plugin for your system, then start it."
}

apt_updated=0
apt_update() { [ "$apt_updated" = 1 ] || { apt-get update -qq; apt_updated=1; }; }

install_engine() {
  command -v dockerd >/dev/null && return 0
  say "installing Debian's docker.io"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    docker.io iptables ca-certificates debootstrap >/dev/null
}

add_trixie_source() {
  local list=/etc/apt/sources.list.d/orderflow-trixie.list pref=/etc/apt/preferences.d/orderflow-trixie
  [ -f "$list" ] && return 0
  echo 'deb http://deb.debian.org/debian trixie main' >"$list"
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >"$pref"
  apt_updated=0
}

install_compose() {
  compose_v2 && return 0
  can_install
  say "installing the Compose v2 plugin from Debian trixie"
  add_trixie_source
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie docker-compose >/dev/null
  compose_v2 || die "docker compose still does not answer after installing it. Hint: check /usr/libexec/docker/cli-plugins/docker-compose."
}

start_daemon() {
  local pidfile=/var/run/docker.pid
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "dockerd (pid $(cat "$pidfile")) is running but not answering yet; waiting for it"
  else
    rm -f "$pidfile"   # left by a daemon that died: dockerd refuses to start while it exists
    say "starting dockerd (log: $LOG)"
    nohup dockerd >"$LOG" 2>&1 &
  fi
  local deadline=$((SECONDS + DEADLINE_S))
  until engine_answers; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      die "dockerd did not answer on /var/run/docker.sock within ${DEADLINE_S}s. Hint: read $LOG (last line: $(tail -n 1 "$LOG" 2>/dev/null))"
    fi
    sleep 0.2   # polling the socket with a deadline, not a fixed wait
  done
}

if engine_answers; then
  say "engine already answers ($(docker info --format '{{.ServerVersion}}')); not touching it"
else
  can_install
  install_engine
  start_daemon
fi
install_compose
command -v debootstrap >/dev/null || { can_install; apt_update; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
say "engine $(docker info --format '{{.ServerVersion}}'), compose $(docker compose version --short)"
