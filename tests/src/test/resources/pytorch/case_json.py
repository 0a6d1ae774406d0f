"""How the make_*_cases.py scripts write values into fovea-cases/1 files (shared, so all four agree)."""
import json
import math

import torch


def number(v):
    """A float32 value as the case files write it: shortest repr, NaN, -0.0."""
    if math.isnan(v):
        return "NaN"
    if v == 0:
        return "-0.0" if math.copysign(1, v) < 0 else "0"
    return repr(float(torch.tensor(v, dtype=torch.float32).item()))


def tensor(t):
    """A tensor (or a list of numbers, as a 1-D tensor) as {"shape": [...], "data": [...]} in float32."""
    if not isinstance(t, torch.Tensor):
        t = torch.tensor(t, dtype=torch.float32)
    t = t.detach().to(torch.float32)
    return '{"shape": %s, "data": [%s]}' % (json.dumps(list(t.shape)), ", ".join(number(v) for v in t.flatten().tolist()))
