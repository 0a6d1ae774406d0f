#!/usr/bin/env python3
"""Summary of the alternating compare-pytorch runs off-R / auto-R (-Dfovea.winograd=off / auto, each with
its own PyTorch round): per workload, each side's best median over the rounds, Winograd's speed-up over
im2col, and each side's Fovea/PyTorch ratio (from the PyTorch round run next to it; best over rounds)."""
import glob, json, os, sys
from collections import defaultdict

d = sys.argv[1]
fovea = defaultdict(lambda: defaultdict(list))
ratio = defaultdict(lambda: defaultdict(list))
for run in sorted(glob.glob(os.path.join(d, "*-*"))):
    side = os.path.basename(run).split("-")[0]
    if not os.path.exists(os.path.join(run, "ratios.json")):
        continue  # a run still in progress
    for row in json.load(open(os.path.join(run, "ratios.json")))["ratios"]:
        fovea[row["name"]][side].append(row["fovea_median_ms"])
        ratio[row["name"]][side].append(row["ratio"])
print(f"{'workload':44} {'runs':>4} {'im2col ms':>10} {'winograd ms':>11} {'speed-up':>8} {'vs PyTorch: im2col':>19} {'winograd':>9}")
for w, s in fovea.items():
    if not s["off"] or not s["auto"]:
        continue
    o, a = min(s["off"]), min(s["auto"])
    print(f"{w:44} {min(len(s['off']), len(s['auto'])):>4} {o:10.1f} {a:11.1f} {o / a:8.2f} {max(ratio[w]['off']):19.2f} {max(ratio[w]['auto']):9.2f}")
