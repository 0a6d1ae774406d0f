"""Makes the large ONNX fixtures for OnnxTorchvisionTest, which are generated, not committed (tens of MB):
torchvision's resnet18, squeezenet1_1 and mobilenet_v3_small with seeded random weights (weights=None:
nothing is downloaded), exported by torch.onnx.export at opset 17 in eval mode, with PyTorch's outputs on
a seeded 1x3x224x224 input.
Run from the repository root: /usr/bin/python3 tests/src/test/resources/onnx/make_torchvision_fixtures.py
(needs Debian's python3-torch and python3-torchvision); it writes tests/target/onnx-torchvision/NAME.onnx
and NAME.json, and OnnxTorchvisionTest is skipped while they are absent.
"""
import json
from pathlib import Path

import torch
import torchvision

OUT = Path("tests/target/onnx-torchvision")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(["resnet18", "squeezenet1_1", "mobilenet_v3_small"]):
        torch.manual_seed(20261203 + i)
        model = getattr(torchvision.models, name)(weights=None).eval()
        x = torch.rand(1, 3, 224, 224) * 2 - 1
        with torch.no_grad():
            y = model(x)
        torch.onnx.export(model, x, str(OUT / (name + ".onnx")), opset_version=17, input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        (OUT / (name + ".json")).write_text(json.dumps({
            "shape": list(x.shape), "input": [round(v, 8) for v in x.flatten().tolist()],
            "output": [round(v, 8) for v in y.flatten().tolist()]}))


if __name__ == "__main__":
    main()
