package dev.fovea.backend;

import dev.fovea.tensor.Tensor;

/**
 * Pooling's forward result. For max and min pooling {@code indices} (int32, same shape as the
 * output) holds the flat h*W+w position of the winning input cell within its channel plane, so the
 * backward pass can route gradients without recomputing; it is null for average pooling.
 */
public record PoolOutput(Tensor output, Tensor indices) {
}
