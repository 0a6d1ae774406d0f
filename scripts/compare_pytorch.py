#!/usr/bin/env python3
"""The PyTorch half of compare-pytorch.sh: times the issue-5 workloads with PyTorch on the CPU (same
shapes, thread count, warm-up and repetitions as the Fovea run) into one JSON file per round
(--time-pytorch), then combines the rounds with Fovea's `bench --json` files (--rounds-dir) into the
Fovea/PyTorch ratio per workload, ratios.json and ratios.md. Each side's best median over the rounds
is used. A ratio is PyTorch's time over Fovea's, so above 1 means Fovea is faster; for rates
(GFLOP/s, images/s) it equals Fovea's rate over PyTorch's."""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

# Fovea workload name -> (target ratio or None, what PyTorch runs)
TARGETS = {
    "mnist-cnn batch 64 train": 1.0,
    "conv2d mnist-conv2 N64 32>64 26x26 fwd": 0.8,
    "conv2d depthwise-3x3 N32 64>64 56x56 fwd+bwd": 5.0,
    "min_pool2d 2x2 64x64x24x24 fwd+bwd": 1.0,
    "sgemm 1024^3": 0.9,
}


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    ms = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ms), min(ms), max(ms)


def conv(x_shape, w_shape, padding, groups):
    x = torch.rand(x_shape) * 2 - 1
    w = torch.rand(w_shape) * 2 - 1
    b = torch.rand(w_shape[0]) * 2 - 1
    with torch.no_grad():
        dy = torch.rand(F.conv2d(x, w, b, padding=padding, groups=groups).shape)
    xg, wg, bg = (t.clone().requires_grad_() for t in (x, w, b))

    def fwd():
        with torch.no_grad():
            F.conv2d(x, w, b, padding=padding, groups=groups)

    def fwd_bwd():
        for t in (xg, wg, bg):
            t.grad = None
        F.conv2d(xg, wg, bg, padding=padding, groups=groups).backward(dy)

    return fwd, fwd_bwd


def min_pool(shape):
    x = torch.rand(shape) * 2 - 1
    xg = x.clone().requires_grad_()
    dy = torch.rand(shape[0], shape[1], shape[2] // 2, shape[3] // 2)

    def fwd():
        with torch.no_grad():
            -F.max_pool2d(-x, 2)

    def fwd_bwd():
        xg.grad = None
        (-F.max_pool2d(-xg, 2)).backward(dy)

    return fwd, fwd_bwd


def sgemm(n):
    a, b, c = torch.rand(n, n), torch.rand(n, n), torch.empty(n, n)
    return lambda: torch.mm(a, b, out=c)


def mnist_cnn():
    """The reference network (Fovea's zoo mnist-cnn), one SGD step (momentum 0.9) on a batch of 64."""
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(9216, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    return classifier_step(model, 64, 1, 28)


def basic_block(cin, cout, stride):
    """Zoo.basicBlock: conv-bn-relu-conv-bn plus the (1x1 projection when the shape changes) shortcut, then relu."""
    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(
                torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False), torch.nn.BatchNorm2d(cout), torch.nn.ReLU(),
                torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False), torch.nn.BatchNorm2d(cout))
            self.shortcut = torch.nn.Identity() if stride == 1 and cin == cout else torch.nn.Sequential(
                torch.nn.Conv2d(cin, cout, 1, stride, bias=False), torch.nn.BatchNorm2d(cout))

        def forward(self, x):
            return F.relu(self.body(x) + self.shortcut(x))

    return Block()


def resnet18_cifar(batch):
    """Fovea's zoo resnet18-cifar (3x3 stem, basic blocks 2-2-2-2 of 64-128-256-512 channels), one SGD step
    (momentum 0.9) on a batch of random 3x32x32 images, and an inference pass (eval mode)."""
    layers = [torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False), torch.nn.BatchNorm2d(64), torch.nn.ReLU()]
    cin = 64
    for i, width in enumerate((64, 128, 256, 512)):
        for block in range(2):
            layers.append(basic_block(cin, width, 2 if i > 0 and block == 0 else 1))
            cin = width
    layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(512, 10)]
    return classifier_step(torch.nn.Sequential(*layers), batch, 3, 32)


def classifier_step(model, batch, channels, size):
    """A training step (SGD, momentum 0.9, cross-entropy) and an inference pass (eval mode, no grad)."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(batch, channels, size, size) * 2 - 1
    y = torch.randint(0, 10, (batch,))

    def train():
        model.train()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()

    def infer():
        model.eval()
        with torch.no_grad():
            model(x)

    return train, infer


def blas_library_after_mm():
    """The BLAS shared library this process mapped (OpenBLAS or the reference one), from /proc/self/maps."""
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line}
        return ", ".join(sorted(os.path.realpath(p) for p in libs)) or "none mapped"
    except OSError:
        return "unknown"


WORKLOADS = {
    "conv2d mnist-conv2 N64 32>64 26x26 fwd": lambda: conv((64, 32, 26, 26), (64, 32, 3, 3), 0, 1)[0],
    "conv2d mnist-conv2 N64 32>64 26x26 fwd+bwd": lambda: conv((64, 32, 26, 26), (64, 32, 3, 3), 0, 1)[1],
    "conv2d depthwise-3x3 N32 64>64 56x56 fwd": lambda: conv((32, 64, 56, 56), (64, 1, 3, 3), 1, 64)[0],
    "conv2d depthwise-3x3 N32 64>64 56x56 fwd+bwd": lambda: conv((32, 64, 56, 56), (64, 1, 3, 3), 1, 64)[1],
    "min_pool2d 2x2 64x64x24x24 fwd": lambda: min_pool((64, 64, 24, 24))[0],
    "min_pool2d 2x2 64x64x24x24 fwd+bwd": lambda: min_pool((64, 64, 24, 24))[1],
    "sgemm 1024^3": lambda: sgemm(1024),
    "mnist-cnn batch 64 train": lambda: mnist_cnn()[0],
    "mnist-cnn batch 64 infer": lambda: mnist_cnn()[1],
    "conv2d resnet-3x3 N32 64>64 56x56 fwd": lambda: conv((32, 64, 56, 56), (64, 64, 3, 3), 1, 1)[0],
    "conv2d resnet-3x3 N32 64>64 56x56 fwd+bwd": lambda: conv((32, 64, 56, 56), (64, 64, 3, 3), 1, 1)[1],
    "resnet18-cifar batch 32 train": lambda: resnet18_cifar(32)[0],
    "resnet18-cifar batch 32 infer": lambda: resnet18_cifar(32)[1],
}


def time_in_fresh_process(name, a):
    """Each workload runs in its own interpreter: after an OpenMP region (oneDNN) PyTorch's OpenMP threads
    keep spinning and starve OpenBLAS's own threads, which would make whatever ran earlier slow down the next."""
    args = [sys.executable, os.path.abspath(__file__), "--one", name, "--threads", str(a.threads),
            "--repeats", str(a.repeats), "--warmup", str(a.warmup)]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()[-1])


def best_of_rounds(rounds_dir):
    """Per workload, the round with the lowest Fovea median and the one with the lowest PyTorch median."""
    fovea, pytorch, rounds = {}, {}, 0
    for name in sorted(os.listdir(rounds_dir)):
        d = os.path.join(rounds_dir, name)
        if not (name.startswith("round-") and os.path.isdir(d)):
            continue
        rounds += 1
        for fname in sorted(f for f in os.listdir(d) if f.startswith("fovea-") and f.endswith(".json")):
            with open(os.path.join(d, fname)) as f:
                for m in json.load(f)["measurements"]:
                    if m["backend"] == "cpu" and (m["name"] not in fovea or m["median_ms"] < fovea[m["name"]]["median_ms"]):
                        fovea[m["name"]] = m
        with open(os.path.join(d, "pytorch.json")) as f:
            for wname, t in json.load(f)["timings"].items():
                if wname not in pytorch or t[0] < pytorch[wname][0]:
                    pytorch[wname] = t
    if rounds == 0:
        sys.exit(f"compare_pytorch: no round-N directories under {rounds_dir}")
    return fovea, pytorch, rounds


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--time-pytorch", metavar="FILE", help="time every workload and write FILE")
    ap.add_argument("--rounds-dir", help="combine the round-N directories under this one")
    ap.add_argument("--out")
    ap.add_argument("--one", help="time this one workload and print [median, min, max] (used by the parent)")
    ap.add_argument("--only", default="", help="comma-separated: only the workloads whose name contains one of these")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    if a.one:
        print(json.dumps(timed(WORKLOADS[a.one](), a.warmup, a.repeats)))
        return
    selected = [n for n in WORKLOADS if not a.only or any(p and p in n for p in a.only.split(","))]
    if a.time_pytorch:
        timings = {}
        for name in selected:
            timings[name] = time_in_fresh_process(name, a)
            print(f"{name:48s} pytorch {timings[name][0]:9.3f} ms (min {timings[name][1]:.3f})", flush=True)
        with open(a.time_pytorch, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load_average": os.getloadavg(),
                       "timings": timings}, f, indent=2)
        return
    if not a.rounds_dir or not a.out:
        ap.error("--time-pytorch FILE, or --rounds-dir and --out, is required")
    fovea, pytorch, rounds = best_of_rounds(a.rounds_dir)
    rows = []
    for name in (n for n in selected if n in pytorch):
        median, lo, hi = pytorch[name]
        f = fovea.get(name)
        ratio = f and median / f["median_ms"]
        target = TARGETS.get(name)
        rows.append({"name": name, "pytorch_median_ms": median, "pytorch_min_ms": lo, "pytorch_max_ms": hi,
                     "fovea_median_ms": f and f["median_ms"], "ratio": ratio, "target": target,
                     "met": None if target is None or ratio is None else ratio >= target})
        print(f"{name:48s} pytorch {median:9.3f} ms  fovea {f['median_ms'] if f else float('nan'):9.3f} ms  "
              f"ratio {ratio if ratio else float('nan'):6.2f}" + (f"  target {target}" if target else ""), flush=True)

    env = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": platform.processor() or platform.machine(),
           "threads": a.threads, "torch": torch.__version__, "mkldnn": torch.backends.mkldnn.is_available(),
           "blas": blas_library_after_mm(), "warmup": a.warmup, "repeats": a.repeats, "rounds": rounds,
           "load_average": os.getloadavg()}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "ratios.json"), "w") as f:
        json.dump({"environment": env, "ratios": rows}, f, indent=2)
    with open(os.path.join(a.out, "ratios.md"), "w") as f:
        f.write(f"PyTorch {env['torch']} (oneDNN {'on' if env['mkldnn'] else 'off'}, BLAS {env['blas']}), "
                f"{a.threads} threads, {a.warmup} warm-up runs, median of {a.repeats}, best median of {rounds} "
                f"alternating rounds per side; load average {', '.join(f'{v:.1f}' for v in env['load_average'])}.\n\n")
        f.write("| workload | Fovea ms | PyTorch ms | Fovea/PyTorch | target | met |\n|---|---:|---:|---:|---:|---|\n")
        for r in rows:
            fm = f"{r['fovea_median_ms']:.3f}" if r["fovea_median_ms"] else "-"
            ratio = f"{r['ratio']:.2f}x" if r["ratio"] else "-"
            target = f">= {r['target']}x" if r["target"] else ""
            met = "" if r["met"] is None else ("yes" if r["met"] else "no")
            f.write(f"| {r['name']} | {fm} | {r['pytorch_median_ms']:.3f} | {ratio} | {target} | {met} |\n")
    # The best measurements of both sides in `fovea bench --json` form, for `fovea bench plot`.
    best_fovea, best_pytorch = [], []
    for name in (n for n in selected if n in pytorch):
        f = fovea.get(name)
        if not f:
            continue
        median, lo, hi = pytorch[name]
        rate_field = next(k for k in ("gflops", "gb_per_s", "images_per_s") if k in f)
        p = dict(f, backend="pytorch", median_ms=median, min_ms=lo, max_ms=hi, engine=f"PyTorch {torch.__version__}")
        p[rate_field] = f[rate_field] * f["median_ms"] / median
        best_fovea.append(f)
        best_pytorch.append(p)
    for fname, ms in (("best-fovea.json", best_fovea), ("best-pytorch.json", best_pytorch)):
        with open(os.path.join(a.out, fname), "w") as f:
            json.dump({"environment": {k: str(v) for k, v in env.items()}, "measurements": ms}, f, indent=2)
    print(f"compare-pytorch: ratios in {os.path.join(a.out, 'ratios.md')}")


if __name__ == "__main__":
    main()
