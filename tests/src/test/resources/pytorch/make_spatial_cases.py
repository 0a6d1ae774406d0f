"""Writes ../conformance/pytorch-spatial.json: forward and input gradient of the spatial ops that issue
14 added (adaptive_avg_pool2d, adaptive_max_pool2d, upsample, pad), as PyTorch 1.13 computes them on
the CPU in float32: adaptive sizes that do not divide and that upsize, ties and NaN for max pooling,
nearest and bilinear with size and scale_factor (PyTorch's same-size and double-size special cases
among them), align_corners both ways, downsampling, and every pad mode. The upstream gradient is
non-uniform. Run with a Python that has torch:

    /usr/bin/python3 tests/src/test/resources/pytorch/make_spatial_cases.py
"""
import json
import os

import torch
import torch.nn.functional as F

from case_json import tensor


def uniform(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g, dtype=torch.float32) * 2 - 1


def ties_and_nan(shape, seed):
    """Small integers (ties in most windows) with a NaN in about one cell in seven."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(-1, 3, shape, generator=g).to(torch.float32)
    x[torch.rand(shape, generator=g) < 1 / 7] = float("nan")
    return x


def adaptive(name, op, shape, size, seed, values=uniform):
    fn = F.adaptive_avg_pool2d if op == "adaptive_avg_pool2d" else F.adaptive_max_pool2d
    return (name, op, {"output_size": size}, values(shape, seed), lambda x: fn(x, size))


def upsample(name, shape, seed, mode, size=None, scale=None, align=None):
    attrs = {"mode": mode}
    kwargs = {"mode": mode}
    if size is not None:
        attrs["size"] = size
        kwargs["size"] = size
    else:
        attrs["scale_factor"] = scale
        kwargs["scale_factor"] = tuple(scale) if isinstance(scale, list) else scale
    if align is not None:
        attrs["align_corners"] = align
        kwargs["align_corners"] = align
    return (name, "upsample", attrs, uniform(shape, seed), lambda x: F.interpolate(x, **kwargs))


def pad(name, shape, seed, padding, mode, value=None):
    attrs = {"padding": padding, "mode": mode}
    kwargs = {"mode": mode}
    if value is not None:
        attrs["value"] = value
        kwargs["value"] = value
    return (name, "pad", attrs, uniform(shape, seed), lambda x: F.pad(x, padding, **kwargs))


CASES = [
    adaptive("adaptive_avg_pool2d_5x7_to_3x4", "adaptive_avg_pool2d", (2, 2, 5, 7), [3, 4], 1),
    adaptive("adaptive_avg_pool2d_6x6_to_4", "adaptive_avg_pool2d", (1, 3, 6, 6), 4, 2),
    adaptive("adaptive_avg_pool2d_3x4_up_to_5x6", "adaptive_avg_pool2d", (1, 2, 3, 4), [5, 6], 3),
    adaptive("adaptive_max_pool2d_5x7_to_3x4", "adaptive_max_pool2d", (2, 2, 5, 7), [3, 4], 4),
    adaptive("adaptive_max_pool2d_3x4_up_to_5x6", "adaptive_max_pool2d", (1, 2, 3, 4), [5, 6], 5),
    adaptive("adaptive_max_pool2d_ties_and_nan", "adaptive_max_pool2d", (2, 2, 7, 5), [3, 2], 6, ties_and_nan),
    upsample("upsample_nearest_size_5x7", (2, 2, 3, 4), 7, "nearest", size=[5, 7]),
    upsample("upsample_nearest_scale_2", (1, 2, 3, 3), 8, "nearest", scale=2.0),
    upsample("upsample_nearest_scale_1_5x0_5", (2, 1, 4, 6), 9, "nearest", scale=[1.5, 0.5]),
    upsample("upsample_nearest_scale_1_2_same_size", (1, 1, 3, 4), 10, "nearest", scale=[1.2, 1.7]),
    upsample("upsample_bilinear_size_5x7", (2, 2, 3, 4), 11, "bilinear", size=[5, 7], align=False),
    upsample("upsample_bilinear_size_5x7_align", (2, 2, 3, 4), 12, "bilinear", size=[5, 7], align=True),
    upsample("upsample_bilinear_scale_2_5", (1, 2, 3, 2), 13, "bilinear", scale=2.5, align=False),
    upsample("upsample_bilinear_scale_2_5_align", (1, 2, 3, 2), 14, "bilinear", scale=2.5, align=True),
    upsample("upsample_bilinear_down_7x5_to_3x2", (1, 1, 7, 5), 15, "bilinear", size=[3, 2], align=False),
    upsample("upsample_bilinear_down_7x5_to_1x2_align", (1, 1, 7, 5), 16, "bilinear", size=[1, 2], align=True),
    upsample("upsample_bilinear_scale_1_2_same_size", (1, 1, 3, 4), 17, "bilinear", scale=[1.2, 1.7], align=False),
    pad("pad_constant", (2, 2, 3, 4), 18, [1, 2, 0, 3], "constant", 0.5),
    pad("pad_reflect", (1, 2, 4, 3), 19, [2, 1, 3, 1], "reflect"),
    pad("pad_reflect_limit", (1, 1, 3, 4), 20, [3, 3, 2, 2], "reflect"),
    pad("pad_replicate", (2, 1, 3, 2), 21, [3, 0, 2, 4], "replicate"),
]


def main():
    assert torch.__version__.startswith("1.13"), torch.__version__
    out = []
    for name, op, attrs, x0, fn in CASES:
        x = x0.clone().requires_grad_(True)
        y = fn(x)
        dy = 0.5 + (torch.arange(y.numel(), dtype=torch.float32) % 5).reshape(y.shape) * 0.25
        (dx,) = torch.autograd.grad(y, x, dy)
        out.append(
            '  {"name": "pytorch_%s", "op": "%s", "attrs": %s,\n'
            '   "inputs": {"input": %s},\n'
            '   "outputs": {"output": %s},\n'
            '   "grad_outputs": {"output": %s},\n'
            '   "grad_inputs": {"input": %s},\n'
            '   "tolerance": {"abs": 1e-6, "rel": 1e-5}}'
            % (name, op, json.dumps(attrs), tensor(x0), tensor(y.detach()), tensor(dy), tensor(dx)))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "pytorch-spatial.json")
    with open(path, "w") as f:
        # A case file holds only format and cases: the names (pytorch_...) and this script say where
        # the values come from.
        f.write('{"format": "fovea-cases/1",\n "cases": [\n')
        f.write(",\n".join(out))
        f.write("\n ]}\n")


if __name__ == "__main__":
    main()
