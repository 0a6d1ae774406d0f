"""Writes ../conformance/pytorch-norm.json: forward and backward of batch norm in eval mode (the
running statistics fixed, as when fine-tuning with frozen statistics), as PyTorch 1.13 computes
them on the CPU in float32, for [N, C, H, W] and [N, C] inputs; gradients of input, weight and bias
for a non-uniform upstream gradient. Tolerance abs 1e-5 + rel 1e-4: dgamma and dbeta are float sums of
up to 45 terms of order 1 on the GPU kernels, against double on the CPU. Run with a Python that has torch:

    /usr/bin/python3 tests/src/test/resources/pytorch/make_norm_cases.py
"""
import json
import os

import torch
import torch.nn.functional as F

from case_json import tensor

CASES = [
    # name, input shape, eps
    ("4d", (3, 4, 3, 5), 1e-5),
    ("2d", (6, 3), 1e-3),
]


def main():
    assert torch.__version__.startswith("1.13"), torch.__version__
    g = torch.Generator().manual_seed(14)
    out = []
    for name, shape, eps in CASES:
        c = shape[1]
        x = (torch.rand(shape, generator=g) * 4 - 1).requires_grad_()
        weight = (torch.rand(c, generator=g) * 2 - 0.5).requires_grad_()
        bias = (torch.rand(c, generator=g) * 2 - 1).requires_grad_()
        mean = torch.rand(c, generator=g) * 2 - 1
        var = torch.rand(c, generator=g) * 3 + 0.1
        y = F.batch_norm(x, mean, var, weight, bias, training=False, eps=eps)
        dy = torch.rand(shape, generator=g) * 2 - 1
        dx, dw, db = torch.autograd.grad(y, (x, weight, bias), dy)
        inputs = {"input": x, "weight": weight, "bias": bias, "running_mean": mean, "running_var": var}
        out.append(
            '  {"name": "pytorch_batch_norm_eval_%s", "op": "batch_norm",\n'
            '   "attrs": {"training": false, "eps": %s},\n'
            '   "inputs": {%s},\n'
            '   "outputs": {"output": %s},\n'
            '   "grad_outputs": {"output": %s},\n'
            '   "grad_inputs": {"input": %s, "weight": %s, "bias": %s},\n'
            '   "tolerance": {"abs": 1e-5, "rel": 1e-4}}'
            % (name, repr(eps), ", ".join('"%s": %s' % (k, tensor(v.detach())) for k, v in inputs.items()),
               tensor(y.detach()), tensor(dy), tensor(dx), tensor(dw), tensor(db)))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "pytorch-norm.json")
    with open(path, "w") as f:
        f.write('{"format": "fovea-cases/1",\n "cases": [\n')
        f.write(",\n".join(out))
        f.write("\n ]}\n")


if __name__ == "__main__":
    main()
