package dev.fovea.backend;

import dev.fovea.tensor.Tensor;

/**
 * The forward result of pooling and of the spatial resampling family ({@code Backend#resample2d}).
 * For max and min pooling (and adaptive max pooling) {@code indices} (int32, same shape as the
 * output) holds the flat h*W+w position of the winning input cell within its channel plane, so the
 * backward pass can route gradients without recomputing; it is null for average pooling, upsampling
 * and padding.
 */
public record PoolOutput(Tensor output, Tensor indices) {
}
