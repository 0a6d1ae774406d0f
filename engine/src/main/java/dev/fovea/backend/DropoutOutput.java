package dev.fovea.backend;

import dev.fovea.tensor.Tensor;

/** Dropout's forward result: the output and the scale mask (0 or 1/(1-p) per element) for backward. */
public record DropoutOutput(Tensor output, Tensor mask) {
}
