"""Makes the PyTorch interoperability fixture for PyTorchCheckpointTest.

Builds LeNet-5 exactly as Fovea's zoo defines it (conv1 1->6 k5 pad 2, tanh, avg-pool 2, conv2 6->16 k5,
tanh, avg-pool 2, fc1 400->120, tanh, fc2 120->84, tanh, fc3 84->10), with PyTorch's own seeded
initialisation, trains it for 80 steps (10 passes over 512 images) so the weights are not just the initial ones, and writes:
  lenet5.safetensors           the state_dict, as safetensors (PyTorch's names and layouts)
  lenet5-predictions.json      logits for the first 8 images of Fovea's embedded MNIST test split
Run from the repository root: python3 tests/src/test/resources/pytorch/make_lenet5_fixture.py
(needs Debian's python3-torch; the file format is written by hand below, so no safetensors package).
"""
import gzip
import json
import struct
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
DIGITS = Path("engine/src/main/resources/dev/fovea/data/mnist-digits")


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


def idx_images(path):
    data = gzip.open(path).read()
    n, rows, cols = struct.unpack(">III", data[4:16])
    pixels = torch.tensor(list(data[16:16 + n * rows * cols]), dtype=torch.float32) / 255.0
    return pixels.reshape(n, 1, rows, cols)


def idx_labels(path):
    data = gzip.open(path).read()
    return torch.tensor(list(data[8:]), dtype=torch.int64)


def save_safetensors(tensors, path):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        raw = tensors[name].detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def main():
    torch.manual_seed(20261122)
    model = LeNet5()
    train = idx_images(DIGITS / "train-images-idx3-ubyte.gz")[:512]
    labels = idx_labels(DIGITS / "train-labels-idx1-ubyte.gz")[:512]
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(10):
        for step in range(8):
            batch = slice(step * 64, (step + 1) * 64)
            loss = F.cross_entropy(model(train[batch]), labels[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    test = idx_images(DIGITS / "t10k-images-idx3-ubyte.gz")[:8]
    with torch.no_grad():
        logits = model(test)
    save_safetensors(model.state_dict(), HERE / "lenet5.safetensors")
    (HERE / "lenet5-predictions.json").write_text(json.dumps({
        "torch": torch.__version__, "images": "first 8 of the embedded mnist-digits test split",
        "logits": logits.tolist()}, indent=1))


if __name__ == "__main__":
    main()
