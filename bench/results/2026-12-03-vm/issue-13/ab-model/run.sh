#!/usr/bin/env bash
# A/B: Winograd (auto) vs im2col (off) on the resnet18-cifar step and inference, alternating rounds, same jar.
cd /work/wt-13-conv
out=bench/results/2026-12-03-vm/issue-13/ab-model
mkdir -p $out
for r in 1 2 3 4; do
  for route in off auto; do
    FOVEA_JAVA_OPTS="-Dfovea.winograd=$route" ./fovea bench model --backend cpu --model resnet18-cifar --batch-size 32 \
      --repeats 5 --warmup 3 --json $out/round-$r-$route.json 2>&1 | grep -v "^WARNING: Using incubator"
  done
done
