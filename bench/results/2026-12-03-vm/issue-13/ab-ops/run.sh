#!/usr/bin/env bash
# A/B: Winograd (auto) vs im2col (off), alternating rounds, same jar.
cd /work/wt-13-conv
out=bench/results/2026-12-03-vm/issue-13/ab-ops
mkdir -p $out
for r in 1 2 3; do
  for route in off auto; do
    FOVEA_JAVA_OPTS="-Dfovea.winograd=$route" ./fovea bench ops --backend cpu --repeats 3 --warmup 2 \
      --only "conv2d resnet-3x3,conv2d mnist-conv2" --json $out/round-$r-$route.json 2>&1 | grep -v "^WARNING: Using incubator"
  done
done
