#!/usr/bin/env bash
# Installs what wfpkit's build and tests need on a Debian machine, then the npm packages.
#   bash scripts/setup.sh
# System packages are installed only when missing (needs root or sudo); npm ci builds the
# workspace, including the simulator's native library.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each package and why the tests need it.
packages=(
  cmake          # builds libwfpsim (@wfpkit/simulator)
  gcc            # host C compiler: libwfpsim, golden fixtures
  libc6-dev      # C headers for the above
  mingw-w64      # cross build of wfpkit.sys, ABI checks against MinGW-w64's Windows headers
  clang          # libFuzzer targets on the driver's parsers
  libclang-rt-14-dev  # sanitizer and fuzzer runtimes for clang
  tshark         # reference answers for the capture tests (what Wireshark reads)
  tcpdump        # the end-to-end test captures real loopback traffic it makes
  curl           # ... HTTP and HTTPS clients for that capture
  openssl        # ... TLS client and server for that capture
  python3        # ... HTTP server for that capture
  chromium       # the docs site's browser test (tools/docs-site drives /usr/bin/chromium with playwright-core; it never downloads a browser)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npx nx run-many -t build --output-style=static
# npm links package bins before the build writes them, so the link's target is not executable:
# make `npx monitor-cli` work in the clone (a package installed from the registry is not affected).
