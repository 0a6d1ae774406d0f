"""Makes the ONNX import fixtures for OnnxImportTest: models exported by PyTorch's torch.onnx.export with
seeded random weights (nothing is downloaded), and PyTorch's outputs on a seeded input.

  lenet5.onnx          Fovea's zoo lenet5 (conv, tanh, average pooling, Gemm), opset 11
  resnet-cifar-w4.onnx Fovea's zoo resnet18-cifar at 1/16 width (4-8-16-32 channels, so the file stays
                       small), batch norm kept (TrainingMode.PRESERVE of an eval-mode model), opset 13
  all-ops.onnx         every operator the importer maps: grouped and dilated conv, batch norm, LeakyRelu,
                       PRelu, MaxPool, Sigmoid, Tanh, Concat, AveragePool (count_include_pad=0), Add,
                       GlobalAveragePool, x.view(x.size(0), -1) (Shape/Gather/Unsqueeze/Concat/Reshape),
                       relu6 (Relu + Clip 0..6), HardSigmoid, Clip with min 0 only, HardSwish (HardSigmoid + Mul
                       before opset 14), Elu, GELU (Div/Erf/Add/Mul/Mul), Dropout, Gemm, MatMul + Add, Relu,
                       LogSoftmax; opset 17
  all-ops-opsetN.onnx  the same model exported at opsets 11 to 16 (all-ops.json holds its outputs)
  new-ops.onnx         the elementwise, shape and spatial operators: Mul/Sub/Div/Add broadcasting, ReduceMean,
                       ReduceSum, Pad (constant, reflect, edge), Resize (nearest; linear with and without
                       align_corners; by scale and by size), adaptive average pooling, Transpose, Reshape,
                       Unsqueeze/Squeeze, GlobalMaxPool; opset 17, and new-ops-opsetN.onnx at 11 and 13
  NAME.json            {"input": [N, C, H, W] values flattened, "shape": ..., "output": flattened outputs}
Run from the repository root: /usr/bin/python3 tests/src/test/resources/onnx/make_onnx_fixtures.py
(needs Debian's python3-torch, 1.13 here; torch.onnx.export does not need the onnx package).
"""
import json
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = torch.tanh(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return self.fc3(x)


class Block(nn.Module):
    """Zoo.basicBlock: conv-bn-relu-conv-bn plus the (1x1 projection when the shape changes) shortcut, then relu."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.shortcut = nn.Identity() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))


def resnet_cifar(widths):
    layers = [nn.Conv2d(3, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU()]
    cin = widths[0]
    for i, width in enumerate(widths):
        for block in range(2):
            layers.append(Block(cin, width, 2 if i > 0 and block == 0 else 1))
            cin = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)]
    return nn.Sequential(*layers)


class AllOps(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.grouped = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=4)
        self.prelu = nn.PReLU(8)
        self.left = nn.Conv2d(8, 6, 1)
        self.right = nn.Conv2d(8, 2, 3, stride=1, padding=1, bias=False)
        # 1x1 convolutions with weights scaled up, so that their outputs reach past relu6's 6 and
        # hardsigmoid's +-3 and the activations after them see every piece of their formulas.
        self.six = nn.Conv2d(8, 3, 1)
        self.hard = nn.Conv2d(8, 3, 1)
        self.clamp = nn.Conv2d(8, 2, 1)
        self.smooth = nn.Conv2d(8, 8, 1)
        for conv in (self.six, self.hard, self.clamp, self.smooth):
            conv.weight.data.mul_(4)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(8, 12)
        self.w = nn.Parameter(torch.randn(12, 5) * 0.3)
        self.b = nn.Parameter(torch.randn(5) * 0.1)

    def forward(self, x):
        x = F.leaky_relu(self.bn(self.stem(x)), 0.2)
        y = self.prelu(self.grouped(x))
        y = F.max_pool2d(y, 3, 2, 1)
        z = torch.cat([torch.sigmoid(self.left(y)), torch.tanh(self.right(y))], 1)
        z = F.avg_pool2d(z, 3, 1, 1, count_include_pad=False) + y
        z = torch.cat([F.relu6(self.six(z)), F.hardsigmoid(self.hard(z)), torch.clamp(self.clamp(z), min=0)], 1)
        z = F.gelu(F.elu(F.hardswish(self.smooth(z)), 0.7))
        z = F.adaptive_avg_pool2d(z, 1)
        z = z.view(z.size(0), -1)
        z = F.relu(self.fc(self.drop(z)))
        return F.log_softmax(z @ self.w + self.b, 1)


class NewOps(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = self.conv(x)                                                   # [N, 8, 12, 12]
        g = torch.sigmoid(x.mean(dim=(2, 3), keepdim=True))
        y = (x * g - x) / (g + g)
        y = F.pad(y, [1, 2, 0, 1], mode="constant", value=0.5)
        y = F.pad(y, [2, 1, 1, 2], mode="reflect")
        y = F.pad(y, [1, 1, 1, 1], mode="replicate")                       # [N, 8, 18, 20]
        u = F.interpolate(y, scale_factor=2, mode="nearest") + F.interpolate(y, size=(36, 40), mode="bilinear",
                                                                               align_corners=True)
        u = u + F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        odd = F.interpolate(y, size=(27, 30), mode="nearest")
        u = u + F.interpolate(odd, size=(36, 40), mode="bilinear", align_corners=False)
        # adaptive pooling needs a size the exporter knows: the convolution's, not a padded or resized one's.
        q = F.adaptive_avg_pool2d(x, (6, 4)) + F.avg_pool2d(u, (6, 10))      # [N, 8, 6, 4]
        t = q.transpose(2, 3).permute(0, 1, 3, 2) + q
        t = t.permute(0, 2, 3, 1).reshape(x.size(0), 16, 12)
        s = (t.sum(dim=2) - t.mean(dim=-1)).unsqueeze(-1).squeeze(-1)       # [N, 16]
        gmax = F.adaptive_max_pool2d(q, 1).flatten(1)                      # [N, 8]
        return self.fc(torch.cat([s, gmax], 1))


def randomise_batch_norm(model):
    """Running statistics and affine parameters away from their defaults, so the test sees them used."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)


def export(name, model, shape, opset, training=torch.onnx.TrainingMode.EVAL):
    model.eval()
    x = torch.rand(*shape) * 2 - 1
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(model, x, str(HERE / (name + ".onnx")), opset_version=opset, training=training,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    (HERE / (name + ".json")).write_text(json.dumps({
        "shape": list(shape), "input": [round(v, 8) for v in x.flatten().tolist()],
        "output": [round(v, 8) for v in y.flatten().tolist()]}))
    return x


def main():
    torch.manual_seed(20261203)
    export("lenet5", LeNet5(), (2, 1, 28, 28), 11)
    resnet = resnet_cifar((4, 8, 16, 32))
    randomise_batch_norm(resnet)
    export("resnet-cifar-w4", resnet, (2, 3, 32, 32), 13, torch.onnx.TrainingMode.PRESERVE)
    model = AllOps()
    randomise_batch_norm(model)
    x = export("all-ops", model, (2, 3, 16, 16), 17, torch.onnx.TrainingMode.PRESERVE)
    for opset in range(11, 17):
        # The same model and input at every other opset the importer supports: all-ops.json holds the outputs.
        torch.onnx.export(model, x, str(HERE / ("all-ops-opset%d.onnx" % opset)), opset_version=opset,
                          training=torch.onnx.TrainingMode.PRESERVE, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    new = NewOps()
    x = export("new-ops", new, (2, 3, 12, 12), 17)
    for opset in (11, 13):
        torch.onnx.export(new, x, str(HERE / ("new-ops-opset%d.onnx" % opset)), opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


if __name__ == "__main__":
    main()
