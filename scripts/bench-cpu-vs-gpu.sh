#!/usr/bin/env bash
# Runs the op suite and the model suite of `fovea bench` on the CPU and, when one is usable, the GPU,
# and writes a dated report (Markdown, PNG charts, JSON, CSV, raw output) under
# bench/results/YYYY-MM-DD-HOST/. Without a usable GPU it runs the CPU half and records why the GPU
# half was skipped (the reason `fovea devices` gives).
#
# usage: scripts/bench-cpu-vs-gpu.sh [--quick] [extra `fovea bench` options, e.g. --repeats 5]
# environment: FOVEA_BENCH_MODELS   models as NAME:BATCH (default "mnist-cnn:64 resnet18-cifar:32")
#              FOVEA_BENCH_OUT      report directory (default bench/results/DATE-HOST)
#              FOVEA_JAVA_OPTS      JVM options, e.g. -Dfovea.threads=2
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fovea="$root/fovea"
day="$(date -u +%F)"
host="$(hostname -s 2>/dev/null || hostname)"
out="${FOVEA_BENCH_OUT:-$root/bench/results/$day-$host}"
models="${FOVEA_BENCH_MODELS:-mnist-cnn:64 resnet18-cifar:32}"
mkdir -p "$out"
# ./fovea builds its jar only when it is missing: rebuild it when a source is newer, so the numbers are this tree's.
jar="$root/cli/target/fovea.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/engine/src/main" "$root/cli/src/main" -newer "$jar" -type f | head -1)" ]; then
  echo "$(basename "$0"): building $jar" >&2
  (cd "$root" && mvn -B -q -DskipTests package -pl cli -am) >&2
fi

"$fovea" devices 2>&1 | grep -v '^WARNING: Using incubator' >"$out/devices.txt"
# A usable GPU is a "cuda:N" line without "not usable"; otherwise the "cuda" line holds the reason.
if grep -E '^cuda:[0-9]+' "$out/devices.txt" | grep -vq 'not usable'; then
  backends="cuda,cpu"
  gpu_note="GPU: $(grep -E '^cuda:[0-9]+' "$out/devices.txt" | head -1 | sed -E 's/^cuda:[0-9]+ +//')"
else
  backends="cpu"
  reason="$(grep -E '^cuda' "$out/devices.txt" | head -1 | sed -E 's/^cuda +//')"
  gpu_note="GPU half skipped: ${reason:-fovea devices reported no CUDA device}"
fi
echo "bench-cpu-vs-gpu: $gpu_note" >&2

run() { # NAME ARGS... : one `fovea bench` run, its table kept as NAME.txt
  local name="$1"; shift
  echo "bench-cpu-vs-gpu: fovea bench $* ($name)" >&2
  "$fovea" bench "$@" --backend "$backends" --json "$out/$name.json" --csv "$out/$name.csv" \
    --markdown "$out/$name.md" --plot "$out/$name.png" 2>&1 | grep -v '^WARNING: Using incubator' | tee "$out/$name.txt"
}

run ops ops "$@"
model_names=()
for m in $models; do
  run "model-${m%%:*}" model --model "${m%%:*}" --batch-size "${m##*:}" "$@"
  model_names+=("model-${m%%:*}")
done

{
  echo "# Fovea benchmark, $day, $host"
  echo
  echo "Command: \`scripts/bench-cpu-vs-gpu.sh $*\` (backends: $backends)."
  echo
  echo "$gpu_note"
  echo
  echo "\`fovea devices\`:"
  echo
  echo '```'
  cat "$out/devices.txt"
  echo '```'
  echo
  echo "CPU: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores;" \
       "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
  echo
  echo "## Ops"
  echo
  echo "![ops](ops.png)"
  echo
  cat "$out/ops.md"
  for name in "${model_names[@]}"; do
    echo
    echo "## ${name#model-}"
    echo
    echo "![$name]($name.png)"
    echo
    grep -h '^# memory' "$out/$name.txt" | sed 's/^# memory */- memory: /' || true
    echo
    cat "$out/$name.md"
  done
} >"$out/report.md"
echo "bench-cpu-vs-gpu: report in $out/report.md" >&2
