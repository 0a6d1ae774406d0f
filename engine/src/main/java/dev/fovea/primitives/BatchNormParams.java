package dev.fovea.primitives;

/**
 * Batch normalisation attributes. In training the running statistics are updated as PyTorch does:
 * running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance.
 */
public record BatchNormParams(double momentum, double eps) {
    public BatchNormParams {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("batch_norm: momentum must be in [0, 1], got " + momentum);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("batch_norm: eps must be > 0, got " + eps);
        }
    }

    public static BatchNormParams defaults() {
        return new BatchNormParams(0.1, 1e-5);
    }
}
