#!/usr/bin/env bash
# Runs a command with the software GPU loaded in place of NVIDIA's libraries: CPU implementations of
# libcuda.so.1, libcublas.so.11 and libcudnn.so.8 that the JCuda JNI libraries load, so the unmodified
# CUDA backend runs on a machine without a GPU (cuda-kernels/softgpu/SOFTGPU.md).
#
#   scripts/softgpu.sh [--no-cudnn] COMMAND [ARG...]
#   scripts/softgpu.sh ./fovea conformance --backend cuda
#   scripts/softgpu.sh --no-cudnn ./fovea train --device cuda --epochs 1 --limit 512
#
# Builds the libraries first if needed (needs g++ and make) into target/softgpu (FOVEA_SOFTGPU_DIR
# overrides). --no-cudnn leaves cuDNN off the library path: the backend's cuBLAS + own-kernel route.
# The software GPU's own settings (devices, memory, fault injection) are FOVEA_SOFTGPU_* variables.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cudnn=1
if [ "${1:-}" = "--no-cudnn" ]; then
    cudnn=0
    shift
fi
if [ $# -eq 0 ]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
out="${FOVEA_SOFTGPU_DIR:-$root/target/softgpu}"
FOVEA_REQUIRE_SOFTGPU=1 bash "$root/cuda-kernels/softgpu/build.sh" "$out" >&2
path="$out/lib"
if [ "$cudnn" = 1 ]; then
    path="$path:$out/cudnn"
fi
export LD_LIBRARY_PATH="$path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$@"
