package dev.fovea.primitives;

/** Losses, all with mean reduction over the elements (cross-entropy: over the batch). */
public enum LossKind {
    /** Softmax cross-entropy from logits [N,C] with class indices [N] stored as floats. */
    CROSS_ENTROPY,
    /** Binary cross-entropy on probabilities; log clamped at -100 as PyTorch does, so 0 and 1 stay finite. */
    BINARY_CROSS_ENTROPY,
    /** Binary cross-entropy on logits, computed in the numerically stable form. */
    BINARY_CROSS_ENTROPY_WITH_LOGITS,
    /** Mean squared error. */
    MSE;

    public String opName() {
        return switch (this) {
            case CROSS_ENTROPY -> "cross_entropy";
            case BINARY_CROSS_ENTROPY -> "binary_cross_entropy";
            case BINARY_CROSS_ENTROPY_WITH_LOGITS -> "binary_cross_entropy_with_logits";
            case MSE -> "mse_loss";
        };
    }
}
