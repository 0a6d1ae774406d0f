"""Writes ../conformance/pytorch-activations.json: forward and backward of every activation
(dev.fovea.primitives.Activation; PyTorchActivationCasesTest fails for one without cases here, and
one with a number attribute needs a case away from its default), as PyTorch 1.13 computes them on
the CPU in float32 (negative, zero, kink, large magnitude and NaN inputs; a non-uniform upstream
gradient). Run with a Python that has torch:

    /usr/bin/python3 tests/src/test/resources/pytorch/make_activation_cases.py
"""
import json
import os

import torch
import torch.nn.functional as F

from case_json import tensor

X = [float("nan"), -100.0, -10.0, -4.0, -3.0, -2.5, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.5, 3.0, 4.0, 6.0, 10.0, 100.0]
DY = [0.5 + (i % 5) * 0.25 for i in range(len(X))]

CASES = [
    ("relu", {}, F.relu),
    ("leaky_relu", {}, lambda x: F.leaky_relu(x)),
    ("leaky_relu", {"negative_slope": 0.2}, lambda x: F.leaky_relu(x, negative_slope=0.2)),
    ("sigmoid", {}, torch.sigmoid),
    ("tanh", {}, torch.tanh),
    ("hardswish", {}, F.hardswish),
    ("hardsigmoid", {}, F.hardsigmoid),
    ("silu", {}, F.silu),
    ("gelu", {}, lambda x: F.gelu(x)),
    ("gelu", {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh")),
    ("mish", {}, F.mish),
    ("elu", {}, lambda x: F.elu(x)),
    ("elu", {"alpha": 0.5}, lambda x: F.elu(x, alpha=0.5)),
    ("relu6", {}, F.relu6),
    ("softplus", {}, lambda x: F.softplus(x)),
    ("softplus", {"beta": 2.0}, lambda x: F.softplus(x, beta=2.0)),
    ("selu", {}, F.selu),
]


def main():
    assert torch.__version__.startswith("1.13"), torch.__version__
    out = []
    for op, attrs, fn in CASES:
        x = torch.tensor(X, dtype=torch.float32, requires_grad=True)
        y = fn(x)
        dy = torch.tensor(DY, dtype=torch.float32)
        (dx,) = torch.autograd.grad(y, x, dy)
        suffix = "".join("_%s_%s" % (k, str(v).replace(".", "_")) for k, v in attrs.items())
        out.append(
            '  {"name": "pytorch_%s%s", "op": "%s", "attrs": %s,\n'
            '   "inputs": {"input": %s},\n'
            '   "outputs": {"output": %s},\n'
            '   "grad_outputs": {"output": %s},\n'
            '   "grad_inputs": {"input": %s},\n'
            '   "tolerance": {"abs": 1e-6, "rel": 1e-5}}'
            % (op, suffix, op, json.dumps(attrs), tensor(X), tensor(y.tolist()), tensor(DY), tensor(dx.tolist())))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "pytorch-activations.json")
    with open(path, "w") as f:
        # A case file holds only format and cases: the names (pytorch_...) and this script say where
        # the values come from.
        f.write('{"format": "fovea-cases/1",\n "cases": [\n')
        f.write(",\n".join(out))
        f.write("\n ]}\n")


if __name__ == "__main__":
    main()
