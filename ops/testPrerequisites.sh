#!/usr/bin/env bash
# Run by `npm test` first (npm's pretest): the tests run a real clamd of their own (tests/support/clamd.ts),
# which needs Debian's ClamAV. Installs it when it is missing and this machine can (root with apt-get);
# else says what to install and fails. Touches nothing when ClamAV is there.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
if have clamd && have sigtool; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "npm test: installing Debian's ClamAV (clamav-daemon, clamav) for the virus scanning tests" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon clamav >/dev/null
  exit 0
fi
echo "npm test needs ClamAV's clamd and sigtool for the virus scanning tests: apt-get install clamav-daemon clamav" >&2
exit 1
