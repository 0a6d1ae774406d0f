"""Writes ../conformance/pytorch-algebra.json: forward and both gradients of the tensor-algebra ops
(add, sub, mul, div with broadcasting both ways, per channel [N,C,H,W] * [N,C,1,1] and scalar-like
[1]; sum and mean over one, several, negative and all dims, with and without keepdim; reshape,
transpose, permute of 4-D), as PyTorch 1.13 computes them on the CPU in float32, with a non-uniform
upstream gradient. Divisors are kept away from 0 (|other| >= 0.5), where the gradient -dy*x/y^2
would magnify rounding. Run with a Python that has torch:

    /usr/bin/python3 tests/src/test/resources/pytorch/make_algebra_cases.py
"""
import json
import os

import torch

from case_json import tensor


def values(gen, shape, positive=False):
    x = torch.rand(shape, generator=gen, dtype=torch.float32) * 2 - 1
    if positive:
        # |y| in [0.5, 1.5) with both signs: away from 0.
        sign = torch.where(torch.rand(shape, generator=gen) < 0.5, -1.0, 1.0)
        x = sign * (0.5 + (x + 1) / 2)
    return x


BINARY = [
    ("add", "same_shape", (2, 3, 4), (2, 3, 4)),
    ("add", "per_channel", (2, 3, 4, 5), (1, 3, 1, 1)),
    ("add", "both_ways", (2, 1, 4), (3, 1)),
    ("sub", "lower_rank_other", (2, 3, 4), (4,)),
    ("sub", "broadcast_input", (3, 1), (2, 3, 4)),
    ("mul", "squeeze_excitation", (2, 3, 4, 5), (2, 3, 1, 1)),
    ("mul", "scalar_like", (2, 3, 4), (1,)),
    ("mul", "both_ways", (4, 1, 3), (1, 5, 1)),
    ("div", "same_shape", (2, 3, 4), (2, 3, 4)),
    ("div", "per_channel", (2, 3, 4, 5), (2, 3, 1, 1)),
    ("div", "broadcast_input", (1, 4), (3, 1)),
]

# op, name, input shape, attrs
REDUCTIONS = [
    ("sum", "all", (2, 3, 4), {}),
    ("sum", "dim1", (2, 3, 4), {"dim": 1}),
    ("sum", "dims_0_2_keepdim", (2, 3, 4, 5), {"dim": [0, 2], "keepdim": True}),
    ("sum", "negative_dims", (2, 3, 4, 5), {"dim": [-1, -3]}),
    ("sum", "all_keepdim", (3, 4), {"dim": [0, 1], "keepdim": True}),
    ("mean", "all", (2, 3, 4), {}),
    ("mean", "hw_keepdim", (2, 3, 4, 5), {"dim": [2, 3], "keepdim": True}),
    ("mean", "hw", (2, 3, 4, 5), {"dim": [-2, -1]}),
    ("mean", "dim0", (4, 3), {"dim": 0}),
    ("mean", "negative_dim_keepdim", (2, 3, 4), {"dim": -2, "keepdim": True}),
]

SHAPES = [
    ("reshape", "inferred", (2, 3, 4), {"shape": [4, -1]}, lambda x: x.reshape(4, -1)),
    ("reshape", "to_4d", (6, 4), {"shape": [2, 3, 2, 2]}, lambda x: x.reshape(2, 3, 2, 2)),
    ("transpose", "last_two", (2, 3, 4), {"dim0": 1, "dim1": -1}, lambda x: x.transpose(1, -1)),
    ("transpose", "outer", (2, 3, 4, 5), {"dim0": 0, "dim1": 2}, lambda x: x.transpose(0, 2)),
    ("permute", "nchw_to_nhwc", (2, 3, 4, 5), {"dims": [0, 2, 3, 1]}, lambda x: x.permute(0, 2, 3, 1)),
    ("permute", "reversed_negative", (2, 3, 4, 5), {"dims": [-1, 2, -3, 0]}, lambda x: x.permute(-1, 2, -3, 0)),
]


def case(name, op, attrs, inputs, output, dy, grads):
    return (
        '  {"name": "pytorch_%s", "op": "%s", "attrs": %s,\n'
        '   "inputs": {%s},\n'
        '   "outputs": {"output": %s},\n'
        '   "grad_outputs": {"output": %s},\n'
        '   "grad_inputs": {%s},\n'
        '   "tolerance": {"abs": 1e-5, "rel": 1e-5}}'
        % (name, op, json.dumps(attrs), ", ".join('"%s": %s' % (k, tensor(v)) for k, v in inputs.items()),
           tensor(output), tensor(dy), ", ".join('"%s": %s' % (k, tensor(v)) for k, v in grads.items())))


def main():
    assert torch.__version__.startswith("1.13"), torch.__version__
    gen = torch.Generator().manual_seed(1413)
    out = []
    for op, name, xs, ys in BINARY:
        x = values(gen, xs).requires_grad_()
        y = values(gen, ys, positive=(op == "div")).requires_grad_()
        z = getattr(torch, op)(x, y)
        dy = values(gen, z.shape)
        gx, gy = torch.autograd.grad(z, (x, y), dy)
        out.append(case("%s_%s" % (op, name), op, {}, {"input": x, "other": y}, z, dy, {"input": gx, "other": gy}))
    for op, name, xs, attrs in REDUCTIONS:
        x = values(gen, xs).requires_grad_()
        kwargs = {}
        if "dim" in attrs:
            kwargs["dim"] = attrs["dim"]
            kwargs["keepdim"] = attrs.get("keepdim", False)
        z = getattr(torch, op)(x, **kwargs)
        dy = values(gen, z.shape)
        (gx,) = torch.autograd.grad(z, x, dy)
        out.append(case("%s_%s" % (op, name), op, attrs, {"input": x}, z, dy, {"input": gx}))
    for op, name, xs, attrs, fn in SHAPES:
        x = values(gen, xs).requires_grad_()
        z = fn(x)
        dy = values(gen, z.shape)
        (gx,) = torch.autograd.grad(z, x, dy)
        out.append(case("%s_%s" % (op, name), op, attrs, {"input": x}, z, dy, {"input": gx}))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "pytorch-algebra.json")
    with open(path, "w") as f:
        # A case file holds only format and cases: the names (pytorch_...) and this script say where
        # the values come from.
        f.write('{"format": "fovea-cases/1",\n "cases": [\n')
        f.write(",\n".join(out))
        f.write("\n ]}\n")


if __name__ == "__main__":
    main()
