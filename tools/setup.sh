#!/usr/bin/env bash
# Takes a fresh Debian 12 / Ubuntu 24.04 machine to a working vega-llvm: system packages (LLVM 16 toolchain, build
# tools), Debian source packages enabled (for llvm-project 16.0.6), the venv in .venv with vega-llvm installed, and
# the llvm-project sources in the cache. Idempotent: rerunning only checks.
#
#   tools/setup.sh            # everything
#   SKIP_APT=1 tools/setup.sh # no system packages (already installed, or no root)
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
APT_PACKAGES=(
  llvm-16 llvm-16-dev llvm-16-tools            # llc, llvm-mc, llvm-tblgen, FileCheck, static libs, CMake package
  cmake ninja-build g++ ccache                 # the out-of-tree build
  libzstd-dev zlib1g-dev libffi-dev libxml2-dev libtinfo-dev libedit-dev libcurl4-openssl-dev  # what LLVMConfig links
  python3-venv python3-dev xz-utils git dpkg-dev
  chromium                                     # headless check of the HTML evaluation report
)

enable_deb_src() {
  # deb822 sources (Debian 12, Ubuntu 24.04): add deb-src to the Types line; legacy sources.list: mirror deb lines.
  local changed=0 f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    if grep -qE '^Types: deb$' "$f"; then $SUDO sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"; changed=1; fi
  done
  if [ -f /etc/apt/sources.list ] && grep -qE '^deb ' /etc/apt/sources.list && ! grep -qE '^deb-src ' /etc/apt/sources.list; then
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $SUDO tee -a /etc/apt/sources.list >/dev/null
    changed=1
  fi
  echo "$changed"
}

if [ -z "${SKIP_APT:-}" ]; then
  echo "== system packages"
  enable_deb_src >/dev/null
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
fi

echo "== python venv (.venv)"
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q torch==2.13.0  # CPU build first, so that `pip install -e .` never pulls CUDA wheels
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/vega-llvm --version

echo "== llvm-project 16.0.6 sources"
.venv/bin/vega-llvm llvm fetch
.venv/bin/vega-llvm llvm doctor
