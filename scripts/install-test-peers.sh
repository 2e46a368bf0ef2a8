#!/usr/bin/env bash
# Installs what the tests need besides npm packages: kcat, whose librdkafka mock cluster is the Kafka broker of the
# Kafka tests (docs/adr/0006). Idempotent: does nothing when kcat is already there. Needs root or sudo for apt-get.
set -euo pipefail

if command -v kcat >/dev/null 2>&1; then
  echo "kcat: already installed ($(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/\1/p' | head -n 1))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "kcat: missing, and apt-get is not available here; install kcat with this system's package manager" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "kcat: missing; installing it needs root or sudo: apt-get install -y kcat" >&2
  exit 1
fi

install() {
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kcat
}

echo "kcat: installing with apt-get"
if ! install; then
  # A fresh machine may have no package lists yet.
  echo "kcat: apt-get install failed; updating the package lists and trying once more"
  ${as_root[@]+"${as_root[@]}"} apt-get update
  install
fi
echo "kcat: installed ($(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/\1/p' | head -n 1))"
