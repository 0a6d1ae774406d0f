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

# Issue 5's op targets and issue 13's: the ResNet 3x3 at least PyTorch's speed; every zoo model's training step and
# inference (at any batch, batch-1 latency included) too, resnet18-cifar's training step 1.2x (target_of).
TARGETS = {
    "conv2d resnet-3x3 N32 64>64 56x56 fwd": 1.0,
    "conv2d resnet-3x3 N32 64>64 56x56 fwd+bwd": 1.0,
    "conv2d mnist-conv2 N64 32>64 26x26 fwd": 0.8,
    "conv2d depthwise-3x3 N32 64>64 56x56 fwd+bwd": 5.0,
    "min_pool2d 2x2 64x64x24x24 fwd+bwd": 1.0,
    "sgemm 1024^3": 0.9,
}


def target_of(name):
    """The ratio a workload must reach, or None."""
    if name in TARGETS:
        return TARGETS[name]
    if name.split(" ")[0] in MODELS:
        return 1.2 if name.startswith("resnet18-cifar ") and name.endswith(" train") else 1.0
    return None


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
    """The reference network (Fovea's zoo mnist-cnn)."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(9216, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))


def lenet5():
    """Zoo.lenet5: 6-16-120-84-10, padding 2 on the first conv, average pooling, tanh."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.Tanh(), torch.nn.AvgPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.Tanh(), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(400, 120), torch.nn.Tanh(), torch.nn.Linear(120, 84), torch.nn.Tanh(), torch.nn.Linear(84, 10))


def vgg_small():
    """Zoo.vggSmall: stages of 3x3 conv (no bias) + BN + ReLU (32-32, 64-64, 128-128), max pooling, fc 256, dropout."""
    layers, cin = [], 3
    for stage in ((32, 32), (64, 64), (128, 128)):
        for c in stage:
            layers += [torch.nn.Conv2d(cin, c, 3, padding=1, bias=False), torch.nn.BatchNorm2d(c), torch.nn.ReLU()]
            cin = c
        layers.append(torch.nn.MaxPool2d(2))
    layers += [torch.nn.Flatten(), torch.nn.Linear(2048, 256), torch.nn.ReLU(), torch.nn.Dropout(0.5),
               torch.nn.Linear(256, 10)]
    return torch.nn.Sequential(*layers)


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


def resnet18_cifar():
    """Zoo.resnet18Cifar: 3x3 stem, basic blocks 2-2-2-2 of 64-128-256-512 channels, 10 classes."""
    layers = [torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False), torch.nn.BatchNorm2d(64), torch.nn.ReLU()]
    cin = 64
    for i, width in enumerate((64, 128, 256, 512)):
        for block in range(2):
            layers.append(basic_block(cin, width, 2 if i > 0 and block == 0 else 1))
            cin = width
    layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(512, 10)]
    return torch.nn.Sequential(*layers)


def resnet18():
    """Zoo.resnet18 is torchvision's ResNet-18 (224x224, 1000 classes)."""
    import torchvision
    return torchvision.models.resnet18()


def mobilenet_small():
    """Zoo.mobileNetSmall: 3x3 stem, five depthwise-separable blocks (dw 3x3 + BN + ReLU, pw 1x1 + BN + ReLU)."""
    layers, cin = [torch.nn.Conv2d(3, 32, 3, padding=1, bias=False), torch.nn.BatchNorm2d(32), torch.nn.ReLU()], 32
    for cout, stride in ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1)):
        layers += [torch.nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), torch.nn.BatchNorm2d(cin),
                   torch.nn.ReLU(), torch.nn.Conv2d(cin, cout, 1, bias=False), torch.nn.BatchNorm2d(cout), torch.nn.ReLU()]
        cin = cout
    layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(256, 10)]
    return torch.nn.Sequential(*layers)


def mobilenetv3_small_cifar():
    """Zoo.mobileNetV3SmallCifar is torchvision's mobilenet_v3_small(num_classes=10) with a stride-1 stem."""
    import torchvision
    m = torchvision.models.mobilenet_v3_small(num_classes=10)
    m.features[0][0].stride = (1, 1)
    return m


def dilated_cnn():
    """Zoo.dilatedCnn: 3x3 convs with dilation 1, 2, 4, max pooling, a 3x3 conv, global average pooling, fc."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, padding=2, dilation=2), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 32, 3, padding=4, dilation=4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
        torch.nn.Linear(64, 10))


def inception_module(cin, c):
    """Zoo.inception: 1x1, 1x1-3x3, 1x1-5x5 and 3x3-max-pool-1x1 branches (each conv + ReLU), concatenated."""
    def branch(*layers):
        return torch.nn.Sequential(*layers)

    class Inception(torch.nn.Module):
        def __init__(self):
            super().__init__()
            r = torch.nn.ReLU
            self.b1 = branch(torch.nn.Conv2d(cin, c, 1), r())
            self.b3 = branch(torch.nn.Conv2d(cin, c, 1), r(), torch.nn.Conv2d(c, c, 3, padding=1), r())
            self.b5 = branch(torch.nn.Conv2d(cin, c // 2, 1), r(), torch.nn.Conv2d(c // 2, c, 5, padding=2), r())
            self.bp = branch(torch.nn.MaxPool2d(3, 1, 1), torch.nn.Conv2d(cin, c, 1), r())

        def forward(self, x):
            return torch.cat((self.b1(x), self.b3(x), self.b5(x), self.bp(x)), 1)

    return Inception()


def inception_small():
    """Zoo.inceptionSmall: 3x3 stem, an inception module (8 per branch), max pooling, another (16), GAP, fc."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), inception_module(16, 8), torch.nn.MaxPool2d(2),
        inception_module(32, 16), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(64, 10))


def densenet_small():
    """Zoo.denseNetSmall: two dense blocks of three BN-ReLU-conv 3x3 layers (growth 12), a transition between."""
    class DenseLayer(torch.nn.Module):
        def __init__(self, cin):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.BatchNorm2d(cin), torch.nn.ReLU(),
                                            torch.nn.Conv2d(cin, 12, 3, padding=1, bias=False))

        def forward(self, x):
            return torch.cat((x, self.body(x)), 1)

    layers, c = [torch.nn.Conv2d(1, 16, 3, padding=1, bias=False)], 16
    for block in (1, 2):
        for _ in range(3):
            layers.append(DenseLayer(c))
            c += 12
        if block == 1:
            layers += [torch.nn.BatchNorm2d(c), torch.nn.ReLU(), torch.nn.Conv2d(c, c // 2, 1, bias=False),
                       torch.nn.AvgPool2d(2)]
            c //= 2
    layers += [torch.nn.BatchNorm2d(c), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
               torch.nn.Linear(c, 10)]
    return torch.nn.Sequential(*layers)


# Fovea's zoo name -> (the same network in PyTorch, input channels, input size)
MODELS = {
    "mnist-cnn": (mnist_cnn, 1, 28),
    "lenet5": (lenet5, 1, 28),
    "vgg-small": (vgg_small, 3, 32),
    "resnet18-cifar": (resnet18_cifar, 3, 32),
    "resnet18": (resnet18, 3, 224),
    "mobilenet-small": (mobilenet_small, 3, 32),
    "mobilenetv3-small-cifar": (mobilenetv3_small_cifar, 3, 32),
    "dilated-cnn": (dilated_cnn, 1, 28),
    "inception-small": (inception_small, 1, 28),
    "densenet-small": (densenet_small, 1, 28),
}


def model_workload(name, batch, train):
    """A zoo model's training step or inference pass (classifier_step) on a batch of random images."""
    build, channels, size = MODELS[name]
    step = classifier_step(build(), batch, channels, size)
    return step[0] if train else step[1]


def parameter_count(name):
    """Trainable parameters of the PyTorch twin, to print beside `fovea summary`'s total."""
    return sum(p.numel() for p in MODELS[name][0]().parameters() if p.requires_grad)


def classifier_step(model, batch, channels, size):
    """A training step (SGD, momentum 0.9, cross-entropy) and an inference pass (eval mode, no grad)."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(batch, channels, size, size) * 2 - 1
    with torch.no_grad():
        classes = model.eval()(x[:1]).shape[1]
    y = torch.randint(0, classes, (batch,))

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
    "conv2d resnet-3x3 N32 64>64 56x56 fwd": lambda: conv((32, 64, 56, 56), (64, 64, 3, 3), 1, 1)[0],
    "conv2d resnet-3x3 N32 64>64 56x56 fwd+bwd": lambda: conv((32, 64, 56, 56), (64, 64, 3, 3), 1, 1)[1],
}


def workload(name):
    """The body a workload name stands for: an op of WORKLOADS, or "MODEL batch N train|infer"."""
    if name in WORKLOADS:
        return WORKLOADS[name]()
    model, _, batch, kind = name.split(" ")
    return model_workload(model, int(batch), kind == "train")


def model_names(models):
    """The workload names of --models "MODEL:BATCH ...": each model's training step and inference pass."""
    names = []
    for m in models.split():
        model, _, batch = m.partition(":")
        if model not in MODELS or not batch.isdigit() or int(batch) < 1:
            sys.exit(f"compare_pytorch: --models {m}: expected MODEL:BATCH with MODEL one of {', '.join(MODELS)}")
        names += [f"{model} batch {batch} train", f"{model} batch {batch} infer"]
    return names


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
    ap.add_argument("--only", default="", help="comma-separated: only the ops whose name contains one of these")
    ap.add_argument("--models", default="", help='zoo models to time, "MODEL:BATCH ...": training step and inference')
    ap.add_argument("--count-params", metavar="MODEL", help="print the PyTorch twin's trainable parameter count")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    if a.one:
        print(json.dumps(timed(workload(a.one), a.warmup, a.repeats)))
        return
    if a.count_params:
        print(parameter_count(a.count_params))
        return
    selected = [n for n in WORKLOADS if a.only and any(p and p in n for p in a.only.split(","))] + model_names(a.models)
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
        target = target_of(name)
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
