package dev.fovea.backend.cuda;

import dev.fovea.primitives.Pool2dParams;
import jcuda.jcudnn.cudnnPoolingMode;

/** Maps Fovea's pooling kinds onto cuDNN's pooling modes; cuDNN has no min pooling. */
public final class PoolModes {
    private PoolModes() {
    }

    /**
     * The cuDNN mode for {@code p}. Max uses the deterministic variant when asked (its backward pass
     * then never races on overlapping windows); average follows count_include_pad.
     *
     * @throws IllegalArgumentException for min pooling, which only the custom kernel implements
     */
    public static int cudnnMode(Pool2dParams p, boolean deterministic) {
        return switch (p.kind()) {
            case MAX -> deterministic ? cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC
                    : cudnnPoolingMode.CUDNN_POOLING_MAX;
            case AVG -> p.countIncludePad() ? cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                    : cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
            case MIN -> throw new IllegalArgumentException(
                    "min_pool2d: cuDNN has no min pooling; it runs on Fovea's own kernel");
        };
    }
}
