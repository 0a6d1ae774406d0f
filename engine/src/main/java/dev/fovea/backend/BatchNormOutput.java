package dev.fovea.backend;

import dev.fovea.tensor.Tensor;

/** Batch norm's training forward result: output plus the per-channel batch mean and 1/sqrt(var+eps). */
public record BatchNormOutput(Tensor output, Tensor savedMean, Tensor savedInvStd) {
}
