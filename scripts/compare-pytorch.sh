#!/usr/bin/env bash
# Runs the issue-5 and issue-13 CPU workloads in Fovea and in PyTorch on this machine with the same thread
# count, and writes the Fovea/PyTorch ratio per workload (higher is better for Fovea) with the targets.
# Optional; never part of CI.
#
# usage: scripts/compare-pytorch.sh [--threads N] [--repeats N] [--warmup N] [--rounds N] [--out DIR]
#                                  [--ops "NAME,..."] [--models "MODEL:BATCH ..." | --all]
# --ops: the `bench ops --only` patterns (default: the issue-5 ops and the ResNet 3x3); --models: zoo
# models and batch sizes for the training step and inference (default: mnist-cnn:64 lenet5:64
# resnet18-cifar:32 and the batch-1 latency of mnist-cnn and resnet18-cifar, a few minutes on a quiet
# machine); --all: every zoo model (ImageNet resnet18 at batch 4) and the batch-1 latencies. Every model's
# PyTorch twin is checked first to have `fovea summary`'s parameter count; both counts are printed.
# Fovea and PyTorch run in alternation, --rounds times (default 3), and each side's best median is
# compared: on a shared or virtual machine the speed of the cores drifts by up to 2x over minutes, so
# one Fovea run followed by one PyTorch run compares two different machines.
# needs: PyTorch for the system Python. Debian: apt-get install python3-torch libopenblas0-pthread
#        (OpenBLAS so PyTorch's BLAS is not the slow reference one). PYTHON selects another interpreter.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="$(nproc)"
repeats=10
warmup=10
rounds=3
out=""
ops="conv2d mnist-conv2,conv2d depthwise-3x3,conv2d resnet-3x3,min_pool2d,sgemm 1024"
models="mnist-cnn:64 lenet5:64 resnet18-cifar:32 mnist-cnn:1 resnet18-cifar:1"
all_models="mnist-cnn:64 lenet5:64 vgg-small:32 resnet18-cifar:32 resnet18:4 mobilenet-small:32 \
mobilenetv3-small-cifar:32 dilated-cnn:64 inception-small:64 densenet-small:64 mnist-cnn:1 resnet18-cifar:1"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --ops) ops="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --all) models="$all_models"; shift ;;
    *) echo "compare-pytorch: unknown option $1 (expected --threads, --repeats, --warmup, --rounds, --out, --ops, --models, --all)" >&2; exit 2 ;;
  esac
done
out="${out:-$root/bench/results/$(date -u +%F)-$(hostname -s 2>/dev/null || hostname)/pytorch}"
python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "compare-pytorch: PyTorch is not importable by $python." >&2
  echo "  Debian/Ubuntu: sudo apt-get install python3-torch libopenblas0-pthread" >&2
  echo "  (or set PYTHON to an interpreter that has torch)" >&2
  exit 1
fi
mkdir -p "$out"
# ./fovea builds its jar only when it is missing: rebuild it when a source is newer, so the numbers are this tree's.
jar="$root/cli/target/fovea.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/engine/src/main" "$root/cli/src/main" -newer "$jar" -type f | head -1)" ]; then
  echo "$(basename "$0"): building $jar" >&2
  (cd "$root" && mvn -B -q -DskipTests package -pl cli -am) >&2
fi

# The twins must be the same networks: the same trainable parameter count as `fovea summary` reports.
: > "$out/parameters.txt"
for m in $(for m in $models; do echo "${m%%:*}"; done | sort -u); do
  fovea_count="$(java -jar "$jar" summary --model "$m" | sed -n 's/^total: \([0-9,]*\) parameters.*/\1/p' | tr -d ,)"
  torch_count="$("$python" "$root/scripts/compare_pytorch.py" --threads 1 --count-params "$m")"
  echo "compare-pytorch: $m parameters: Fovea $fovea_count, PyTorch $torch_count" | tee -a "$out/parameters.txt" >&2
  if [ "$fovea_count" != "$torch_count" ]; then
    echo "compare-pytorch: $m: the PyTorch twin in scripts/compare_pytorch.py is not the zoo's network" >&2
    exit 1
  fi
done

export FOVEA_JAVA_OPTS="${FOVEA_JAVA_OPTS:-} -Dfovea.threads=$threads"
common=(--backend cpu --repeats "$repeats" --warmup "$warmup")
pytorch=(--threads "$threads" --repeats "$repeats" --warmup "$warmup" --only "$ops" --models "$models")
for r in $(seq 1 "$rounds"); do
  dir="$out/round-$r"
  mkdir -p "$dir"
  echo "compare-pytorch: round $r of $rounds: Fovea, $threads threads" >&2
  if [ -n "$ops" ]; then
    "$root/fovea" bench ops "${common[@]}" --json "$dir/fovea-ops.json" --only "$ops" 2>&1 \
      | grep -v '^WARNING: Using incubator'
  fi
  for m in $models; do
    "$root/fovea" bench model "${common[@]}" --model "${m%%:*}" --batch-size "${m##*:}" \
      --json "$dir/fovea-model-${m%%:*}-b${m##*:}.json" 2>&1 | grep -v '^WARNING: Using incubator'
  done
  echo "compare-pytorch: round $r of $rounds: PyTorch, $threads threads" >&2
  OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" "$python" "$root/scripts/compare_pytorch.py" \
    "${pytorch[@]}" --time-pytorch "$dir/pytorch.json"
done
"$python" "$root/scripts/compare_pytorch.py" "${pytorch[@]}" --rounds-dir "$out" --out "$out"
"$root/fovea" bench plot --out "$out/ratios.png" --baseline pytorch \
  --title "Fovea (cpu) and PyTorch, $threads threads each; labels: Fovea's rate over PyTorch's (above 1: Fovea faster)" \
  "$out/best-fovea.json" "$out/best-pytorch.json" 2>&1 | grep -v '^WARNING: Using incubator'
