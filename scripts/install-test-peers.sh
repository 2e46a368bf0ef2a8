#!/usr/bin/env bash
# Installs what the tests need besides npm packages: kcat, whose librdkafka mock cluster is the Kafka broker of the
# Kafka tests (docs/adr/0006), and Chromium, the headless browser the /ops page's browser test drives through
# playwright-core (never `npx playwright install`). Idempotent: installs only what is missing. Needs root or sudo
# for apt-get.
set -euo pipefail

missing=()
if command -v kcat >/dev/null 2>&1; then
  echo "kcat: already installed ($(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/\1/p' | head -n 1))"
else
  missing+=(kcat)
fi
if [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null | head -n 1))"
else
  missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "${missing[*]}: missing, and apt-get is not available here; install them with this system's package manager" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "${missing[*]}: missing; installing needs root or sudo: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

install() {
  # --no-install-recommends: chromium alone is about 25 packages with it, 115 without.
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

echo "${missing[*]}: installing with apt-get"
if ! install; then
  # A fresh machine may have no package lists yet.
  echo "${missing[*]}: apt-get install failed; updating the package lists and trying once more"
  ${as_root[@]+"${as_root[@]}"} apt-get update
  install
fi
if command -v kcat >/dev/null 2>&1; then
  echo "kcat: installed ($(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/\1/p' | head -n 1))"
fi
if [ -x /usr/bin/chromium ]; then
  echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null | head -n 1))"
fi
