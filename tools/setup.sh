#!/usr/bin/env bash
# Takes a fresh Debian 12 / Ubuntu 24.04 machine to a working vega-llvm: system packages (LLVM 16 toolchain, build
# tools), Debian source packages enabled (for llvm-project 16.0.6), the venv in .venv with vega-llvm installed, and
# the llvm-project sources in the cache. Idempotent: rerunning only checks.
#
#   tools/setup.sh            # everything
#   SKIP_APT=1 tools/setup.sh # no system packages (already installed, or no root)
#   TORCH_INDEX_URL=URL tools/setup.sh  # take torch from this index (e.g. https://download.pytorch.org/whl/cu121)
#
# torch: with an NVIDIA GPU (nvidia-smi works) the default build from the package index (CUDA on Linux); without one
# the CPU build from PyTorch's CPU wheel index when it answers, else the default route (pip's configured indexes and
# wheel folders). The last line of that step says which build is installed.
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

TORCH_VERSION=2.13.0
TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu

have_nvidia_gpu() { command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; }

reachable() {  # $1 answers within a few seconds (the outer timeout also bounds a hanging DNS lookup)
  timeout 15 .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=8)' "$1" \
    >/dev/null 2>&1
}

torch_build() {  # e.g. "2.13.0+cpu (CPU build)"; empty when torch does not import
  .venv/bin/python -c 'import torch; c = torch.version.cuda; print(torch.__version__, "(CUDA " + c if c else "(CPU", "build)")' \
    2>/dev/null || true
}

pip_torch() { .venv/bin/python -m pip install -q "$@" "torch==$TORCH_VERSION"; }

install_torch() {
  # Installed before `pip install -e .`, so that vega-llvm's own `torch>=2.1` is already met and pulls nothing.
  local have
  have=$(torch_build)
  if [ "${have%%[+ ]*}" = "$TORCH_VERSION" ]; then
    echo "torch $have already installed"
    return
  fi
  if [ -n "${TORCH_INDEX_URL:-}" ]; then
    echo "torch $TORCH_VERSION from TORCH_INDEX_URL=$TORCH_INDEX_URL ..."
    pip_torch --index-url "$TORCH_INDEX_URL"
  elif have_nvidia_gpu; then
    echo "NVIDIA GPU found (nvidia-smi): torch $TORCH_VERSION from the default index ..."
    pip_torch
  else
    echo "no NVIDIA GPU: trying PyTorch's CPU wheel index $TORCH_CPU_INDEX ..."
    if reachable "$TORCH_CPU_INDEX/torch/"; then
      pip_torch --index-url "$TORCH_CPU_INDEX" || { echo "  that failed: the default index instead ..."; pip_torch; }
    else
      echo "  unreachable: the default index instead (pip's configured indexes and wheel folders) ..."
      pip_torch
    fi
  fi
  have=$(torch_build)
  [ -n "$have" ] || { echo "error: torch does not import after the install" >&2; exit 1; }
  echo "installed torch $have"
  if [ "${have#*CUDA}" != "$have" ] && ! have_nvidia_gpu; then
    echo "  note: a CUDA build on a machine without an NVIDIA GPU (it runs on the CPU, but is large); the CPU build:"
    echo "  .venv/bin/python -m pip uninstall -y torch && TORCH_INDEX_URL=$TORCH_CPU_INDEX tools/setup.sh"
  fi
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
install_torch
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/vega-llvm --version

echo "== llvm-project 16.0.6 sources"
.venv/bin/vega-llvm llvm fetch
.venv/bin/vega-llvm llvm doctor
