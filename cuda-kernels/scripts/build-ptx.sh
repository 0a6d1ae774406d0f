#!/usr/bin/env bash
# Regenerates the committed PTX of every kernel module from cuda-kernels/src/*.cu.
#
#   cuda-kernels/scripts/build-ptx.sh [OUT_DIR]
#
# OUT_DIR defaults to the engine resources (engine/src/main/resources/dev/fovea/cuda/ptx), where
# CudaBackend loads the modules from with cuModuleLoadData, so a build never needs nvcc. Needs nvcc
# on the PATH (or in $NVCC); PtxFreshnessTest calls this script with a temporary OUT_DIR and
# compares the result with the committed files byte for byte.
#
# Why the header is rewritten: nvcc 13 stamps `.version 9.0`, which JCuda 11.7's PTX compiler and
# CUDA 11/12-era drivers refuse. The kernels use nothing newer than PTX ISA 3.2, so the first
# `.version` line becomes `.version 7.0` (accepted by every CUDA >= 11.0 driver) and
# `.target sm_75` stays: the driver JIT-compiles the module for whatever GPU it finds (sm_75 and
# newer). FMA contraction is left on (nvcc's default): it is faster and at least as accurate; the
# CPU emulation tests compare with tolerances, not bit for bit (see KERNELS.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/engine/src/main/resources/dev/fovea/cuda/ptx}"
nvcc="${NVCC:-nvcc}"

if ! command -v "$nvcc" >/dev/null 2>&1; then
    echo "build-ptx.sh: nvcc not found (set NVCC or add the CUDA toolkit's bin to PATH);" \
         "the committed PTX under $out stays as it is" >&2
    exit 2
fi

mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for src in "$here"/src/*.cu; do
    name="$(basename "$src" .cu)"
    "$nvcc" -arch=compute_75 -ptx -O3 -I "$here/src" -o "$tmp/$name.ptx" "$src"
    grep -q '^\.target sm_75$' "$tmp/$name.ptx" || {
        echo "build-ptx.sh: $name.ptx does not target sm_75" >&2
        exit 1
    }
    # Only the first .version line is the header.
    sed '0,/^\.version [0-9.]*$/s//.version 7.0/' "$tmp/$name.ptx" > "$out/$name.ptx"
    if command -v ptxas >/dev/null 2>&1; then
        # ptxas checks every instruction against the declared ISA: fails if 7.0 is too low.
        ptxas -arch=sm_75 -o /dev/null "$out/$name.ptx"
    fi
    echo "$out/$name.ptx"
done
