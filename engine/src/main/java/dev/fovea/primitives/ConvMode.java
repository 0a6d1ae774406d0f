package dev.fovea.primitives;

/**
 * How a convolution applies its kernel. Frameworks' conv2d is cross-correlation; mathematical
 * convolution flips the kernel in both spatial axes (cuDNN's CUDNN_CONVOLUTION).
 */
public enum ConvMode {
    CROSS_CORRELATION,
    CONVOLUTION;

    public static ConvMode parse(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "cross_correlation", "cross-correlation", "xcorr" -> CROSS_CORRELATION;
            case "convolution", "conv" -> CONVOLUTION;
            default -> throw new IllegalArgumentException(
                    "conv2d: mode '" + text + "' is not one of cross_correlation, convolution");
        };
    }
}
