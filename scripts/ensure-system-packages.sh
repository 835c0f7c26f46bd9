#!/usr/bin/env bash
# Install the Debian packages the tests need (Chromium for browser tests, poppler for reading PDFs
# back, gettext for the translation catalogues, zbar for reading the certificates' QR codes back)
# when they are missing and we can: as root with apt.
# Otherwise name what is missing and, under REQUIRE_SERVICES=1, fail; without it the tests that need
# them skip, saying why.
set -euo pipefail

declare -A wanted=([chromium]=chromium [pdftotext]=poppler-utils [msgfmt]=gettext [zbarimg]=zbar-tools)
missing=()
for command in "${!wanted[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${wanted[$command]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}. Install them (e.g. sudo apt-get install ${missing[*]})." >&2
  if [ "${REQUIRE_SERVICES:-0}" = "1" ]; then
    echo "REQUIRE_SERVICES=1: stopping here rather than running without them." >&2
    exit 1
  fi
  echo "The tests that need them will be skipped, each saying why." >&2
fi
