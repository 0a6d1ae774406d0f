#!/usr/bin/env bash
# Inference of the zoo models in Fovea (cpu backend) and in ONNX Runtime 1.20.0 (its Java API, CPU),
# on the same exported model file, weights and batch, with the same number of threads; writes each
# side's images/s and the ratio Fovea/ONNX Runtime (above 1: Fovea faster). Optional; never part of CI.
#
# usage: scripts/compare-onnxruntime.sh [--threads N] [--rounds N] [--repeats N] [--warmup N] [--out DIR]
#                                       [--models "MODEL:BATCH ..."]
# Both sides run in one JVM, in alternation, --rounds times (default 3), and each side's best median is
# compared: on a shared or virtual machine the speed of the cores drifts by up to 2x over minutes.
# ONNX Runtime is a test-scope dependency (com.microsoft.onnxruntime:onnxruntime in the local Maven
# repository), so the harness (tests/src/test/java/dev/fovea/tests/onnx/OnnxRuntimePeer.java) runs on
# the tests module's test classpath.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="$(nproc)"
rounds=3
repeats=10
warmup=10
out=""
models="mnist-cnn:64 lenet5:64 vgg-small:32 resnet18-cifar:32 mobilenet-small:32 dilated-cnn:64 inception-small:64 densenet-small:64"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    *) echo "compare-onnxruntime: unknown option $1 (expected --threads, --rounds, --repeats, --warmup, --out, --models)" >&2; exit 2 ;;
  esac
done
out="${out:-$root/bench/results/$(date -u +%F)-$(hostname -s 2>/dev/null || hostname)/onnxruntime}"
mkdir -p "$out"
cp="$root/tests/target/peer-classpath.txt"
echo "compare-onnxruntime: compiling the tests module and writing its test classpath" >&2
(cd "$root" && mvn -B -o -q test-compile org.apache.maven.plugins:maven-dependency-plugin:2.8:build-classpath \
  -pl tests -am -Dmaven.antrun.skip=true -Dmdep.includeScope=test -Dmdep.outputFile="$cp") >&2
classes="$root/tests/target/test-classes"
{
  echo "date: $(date -u '+%F %H:%M UTC')"
  echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), $(nproc) cores visible"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "threads: $threads (Fovea: -Dfovea.threads; ONNX Runtime: intra-op threads, one inter-op thread)"
} > "$out/environment.txt"
cat "$out/environment.txt" >&2
export OPENBLAS_NUM_THREADS="$threads"
# shellcheck disable=SC2086
java --add-modules jdk.incubator.vector -Dfovea.threads="$threads" -cp "$classes:$(cat "$cp")" \
  dev.fovea.tests.onnx.OnnxRuntimePeer --threads "$threads" --rounds "$rounds" --repeats "$repeats" \
  --warmup "$warmup" --out "$out" $models 2>&1 | grep -v '^WARNING: Using incubator' | tee "$out/output.txt"
