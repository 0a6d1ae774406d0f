#!/usr/bin/env python3
"""Winograd (auto) over im2col (off) from alternating A/B rounds: per workload, the best (lowest) min_ms
and median_ms of each side over the rounds, and the speed ratio off/auto (above 1: Winograd faster)."""
import glob, json, os, sys
from collections import defaultdict

d = sys.argv[1]
best = defaultdict(lambda: {"off": [], "auto": []})
for f in sorted(glob.glob(os.path.join(d, "round-*-*.json"))):
    side = f.rsplit("-", 1)[1][:-5]
    for m in json.load(open(f))["measurements"]:
        best[m["name"]][side].append((m["min_ms"], m["median_ms"]))
print(f"{'workload':48} {'rounds':>6} {'off min':>9} {'auto min':>9} {'ratio':>6} {'off med':>9} {'auto med':>9} {'ratio':>6}")
for name, s in best.items():
    if not s["off"] or not s["auto"]:
        continue
    om, am = min(x[0] for x in s["off"]), min(x[0] for x in s["auto"])
    od, ad = min(x[1] for x in s["off"]), min(x[1] for x in s["auto"])
    print(f"{name:48} {min(len(s['off']), len(s['auto'])):>6} {om:9.1f} {am:9.1f} {om/am:6.2f} {od:9.1f} {ad:9.1f} {od/ad:6.2f}")
