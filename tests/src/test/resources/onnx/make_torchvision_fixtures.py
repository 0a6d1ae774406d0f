"""Makes the large ONNX fixtures for OnnxTorchvisionTest, which are generated, not committed (tens of MB):
torchvision's resnet18, squeezenet1_1 and mobilenet_v3_small with seeded random weights (weights=None:
nothing is downloaded), exported by torch.onnx.export at opset 17 in eval mode, with PyTorch's outputs on
a seeded 1x3x224x224 input; and Fovea's zoo mnist-cnn and resnet18-cifar at full size, written as PyTorch
modules with the zoo's parameter names (batch norm kept: TrainingMode.PRESERVE of an eval-mode model).
Also, for TorchvisionStateDictTest, torchvision's resnet18 state_dict itself (random weights, batch norm
weights, biases and running statistics randomised too, num_batches_tracked included) as
resnet18-state-dict.safetensors (45 MB) with its eval-mode logits for a seeded 1x3x224x224 input in
resnet18-state-dict.json; and likewise mobilenet_v3_small(num_classes=10) with a stride-1 stem (the zoo's
mobilenetv3-small-cifar) for a seeded 2x3x32x32 input.
Run from the repository root: /usr/bin/python3 tests/src/test/resources/onnx/make_torchvision_fixtures.py
(needs Debian's python3-torch and python3-torchvision); it writes tests/target/onnx-torchvision/NAME.onnx
and NAME.json, and OnnxTorchvisionTest and TorchvisionStateDictTest are skipped while they are absent.
"""
import json
import struct
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OUT = Path("tests/target/onnx-torchvision")


class MnistCnn(nn.Module):
    """Zoo.mnistCnn."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class BasicBlock(nn.Module):
    """Zoo.basicBlock, with its parameter names."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Resnet18Cifar(nn.Module):
    """Zoo.resnet18Cifar."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        cin = 64
        for i, width in enumerate((64, 128, 256, 512)):
            blocks = []
            for block in range(2):
                blocks.append(BasicBlock(cin, width, 2 if i > 0 and block == 0 else 1))
                cin = width
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def zoo(name, model, shape):
    torch.manual_seed(20261203)
    model.eval()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
    x = torch.rand(*shape) * 2 - 1
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(model, x, str(OUT / (name + ".onnx")), opset_version=17, input_names=["input"],
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    (OUT / (name + ".json")).write_text(json.dumps({
        "shape": list(x.shape), "input": [round(v, 8) for v in x.flatten().tolist()],
        "output": [round(v, 8) for v in y.flatten().tolist()]}))


def save_safetensors(tensors, path):
    """The safetensors format (an 8-byte little-endian header length, a JSON header, the raw data), written
    directly where the safetensors package is not installed."""
    try:
        from safetensors.torch import save_file
        save_file(tensors, str(path))
        return
    except ImportError:
        pass
    dtypes = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        code, layout = dtypes[t.dtype]
        raw = t.numpy().astype(layout).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)


def state_dict_fixture(name, model, shape, seed):
    """A torchvision model's state_dict (random weights, batch norm statistics made non-trivial) as
    NAME-state-dict.safetensors, which the zoo model of that name loads, and its eval-mode logits for a
    seeded input in NAME-state-dict.json."""
    torch.manual_seed(seed)
    model = model.eval()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.num_batches_tracked.fill_(100)
    x = torch.rand(*shape) * 2 - 1
    with torch.no_grad():
        y = model(x)
    save_safetensors(model.state_dict(), OUT / (name + "-state-dict.safetensors"))
    (OUT / (name + "-state-dict.json")).write_text(json.dumps({
        "shape": list(x.shape), "input": [round(v, 8) for v in x.flatten().tolist()],
        "output": [round(v, 8) for v in y.flatten().tolist()]}))


def resnet18_state_dict():
    """torchvision's resnet18 (Fovea's zoo resnet18 loads it)."""
    torch.manual_seed(20261214)
    state_dict_fixture("resnet18", torchvision.models.resnet18(weights=None), (1, 3, 224, 224), 20261214)


def mobilenetv3_small_cifar_state_dict():
    """torchvision's mobilenet_v3_small with 10 classes and a stride-1 stem: the zoo's mobilenetv3-small-cifar."""
    torch.manual_seed(20261215)
    model = torchvision.models.mobilenet_v3_small(weights=None, num_classes=10)
    model.features[0][0].stride = (1, 1)
    state_dict_fixture("mobilenetv3-small-cifar", model, (2, 3, 32, 32), 20261215)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    resnet18_state_dict()
    mobilenetv3_small_cifar_state_dict()
    torch.manual_seed(7)
    zoo("mnist-cnn", MnistCnn(), (2, 1, 28, 28))
    torch.manual_seed(8)
    zoo("resnet18-cifar", Resnet18Cifar(), (2, 3, 32, 32))
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
