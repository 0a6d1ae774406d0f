package dev.fovea.backend;

import dev.fovea.tensor.Tensor;

/**
 * Gradients of an op with up to three differentiable inputs (input, weight, bias). A gradient that
 * was not asked for, or does not exist, is null.
 */
public record Grads(Tensor input, Tensor weight, Tensor bias) {
}
