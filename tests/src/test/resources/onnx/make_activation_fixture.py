"""Makes activations.onnx and activations.json for OnnxImportTest: the activations that opset 17 has no
operator for, as PyTorch 1.13's torch.onnx.export writes them (SiLU as x*Sigmoid(x), Mish as
x*Tanh(Softplus(x)), GELU's erf and tanh forms as their formulas), with HardSwish, HardSigmoid, Elu and
a min pooling written as -max_pool2d(-x); seeded random weights and input, and PyTorch's outputs.
Run from the repository root: /usr/bin/python3 tests/src/test/resources/onnx/make_activation_fixture.py
(needs Debian's python3-torch, 1.13 here; torch.onnx.export does not need the onnx package).
"""
import json
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent


class Activations(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 6, 3, padding=1)
        self.fc = nn.Linear(6 * 4 * 4, 10)

    def forward(self, x):
        x = F.silu(self.conv1(x))
        x = F.mish(self.conv2(x))
        x = (F.gelu(x) + F.gelu(x, approximate="tanh") + F.hardswish(x) + F.hardsigmoid(x)
             + F.elu(x, alpha=0.7))
        x = -F.max_pool2d(-x, 2)
        return self.fc(torch.flatten(x, 1))


def main():
    torch.manual_seed(20261203)
    model = Activations().eval()
    shape = (2, 3, 8, 8)
    x = torch.randn(shape) * 2
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(model, x, str(HERE / "activations.onnx"), opset_version=17, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    (HERE / "activations.json").write_text(json.dumps({
        "shape": list(shape), "input": [round(v, 8) for v in x.flatten().tolist()],
        "output": [round(v, 8) for v in y.flatten().tolist()]}))


if __name__ == "__main__":
    main()
