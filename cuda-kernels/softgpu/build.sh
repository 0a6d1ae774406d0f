#!/usr/bin/env bash
# Builds the software GPU (libcuda.so.1, libcublas.so.11, libcudnn.so.8) into OUT_DIR. Maven runs
# this before the tests of every module; make makes the later runs no-ops.
#
#   cuda-kernels/softgpu/build.sh OUT_DIR
#
# Without g++ or make the GPU tests cannot run on the software GPU: the script says so and exits 0
# (the tests are then skipped with the probe's reason), unless FOVEA_REQUIRE_SOFTGPU=1 (CI), where
# a missing compiler is an error. A compile error always is.
set -euo pipefail
out="${1:?usage: build.sh OUT_DIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for tool in g++ gcc make; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        msg="$tool is not installed: the software GPU cannot be built and the GPU tests will be skipped"
        if [ "${FOVEA_REQUIRE_SOFTGPU:-0}" = 1 ]; then
            echo "softgpu: $msg (FOVEA_REQUIRE_SOFTGPU=1 makes that an error)" >&2
            exit 1
        fi
        echo "softgpu: $msg"
        exit 0
    fi
done
jobs="$(nproc 2>/dev/null || echo 2)"
make -s -j"$jobs" -C "$here" OUT="$out" all
