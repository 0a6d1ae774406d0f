package dev.fovea.backend.cuda;

import java.util.Locale;

/**
 * Every entry point of Fovea's PTX kernels that the backend launches, with its module and its
 * parameter signature as written in cuda-kernels/KERNELS.md: one letter per parameter, {@code p} a
 * device pointer (.u64), {@code i} an int (.u32), {@code f} a float (.f32). Launches are checked
 * against the signature, and a test checks the signatures against the committed PTX.
 */
enum Kernel {
    MINPOOL_FORWARD("pooling", "fovea_minpool2d_forward", "ppp iiiiiiiiiiii"),
    MAXPOOL_FORWARD("pooling", "fovea_maxpool2d_forward", "ppp iiiiiiiiiiii"),
    MINPOOL_BACKWARD("pooling", "fovea_minpool2d_backward", "ppp iiiiiiiiiiii"),
    MAXPOOL_BACKWARD("pooling", "fovea_maxpool2d_backward", "ppp iiiiiiiiiiii"),
    AVGPOOL_FORWARD("pooling", "fovea_avgpool2d_forward", "pp iiiiiiiiiiii i"),
    AVGPOOL_BACKWARD("pooling", "fovea_avgpool2d_backward", "pp iiiiiiiiiiii i"),
    GLOBAL_AVGPOOL_FORWARD("pooling", "fovea_global_avgpool2d_forward", "pp ii"),
    GLOBAL_AVGPOOL_BACKWARD("pooling", "fovea_global_avgpool2d_backward", "pp ii"),

    ADAPTIVE_AVGPOOL_FORWARD("spatial", "fovea_adaptive_avgpool2d_forward", "pp iiiiii"),
    ADAPTIVE_AVGPOOL_BACKWARD("spatial", "fovea_adaptive_avgpool2d_backward", "pp iiiiii"),
    ADAPTIVE_MAXPOOL_FORWARD("spatial", "fovea_adaptive_maxpool2d_forward", "ppp iiiiii"),
    ADAPTIVE_MAXPOOL_BACKWARD("spatial", "fovea_adaptive_maxpool2d_backward", "ppp iiiiii"),
    UPSAMPLE_NEAREST_FORWARD("spatial", "fovea_upsample_nearest_forward", "pp iiiiii ff"),
    UPSAMPLE_NEAREST_BACKWARD("spatial", "fovea_upsample_nearest_backward", "pp iiiiii ff"),
    UPSAMPLE_BILINEAR_FORWARD("spatial", "fovea_upsample_bilinear_forward", "pp iiiiii ff i"),
    UPSAMPLE_BILINEAR_BACKWARD("spatial", "fovea_upsample_bilinear_backward", "pp iiiiii ff i"),
    PAD_FORWARD("spatial", "fovea_pad2d_forward", "pp iiiiii iii f"),
    PAD_BACKWARD("spatial", "fovea_pad2d_backward", "pp iiiiii iii"),

    CONV_DIRECT_FORWARD("conv_direct", "fovea_conv2d_direct_forward", "pppp iiiiiiiiiiiiiiiii"),
    CONV_DIRECT_BACKWARD_DATA("conv_direct", "fovea_conv2d_direct_backward_data", "ppp iiiiiiiiiiiiiiiii"),
    CONV_DIRECT_BACKWARD_FILTER("conv_direct", "fovea_conv2d_direct_backward_filter", "ppp iiiiiiiiiiiiiiiii"),

    IM2COL("im2col", "fovea_im2col", "pp iiiiiiiiiiiiiii"),
    COL2IM("im2col", "fovea_col2im", "pp iiiiiiiiiiiiiii"),

    FILL("elementwise", "fovea_fill", "p i f"),
    ADD("elementwise", "fovea_add", "ppp i"),
    DROPOUT_APPLY("elementwise", "fovea_dropout_apply", "ppp i"),
    DROPOUT_FORWARD("elementwise", "fovea_dropout_forward", "ppp iiii f"),
    ACTIVATION_FORWARD("elementwise", "fovea_activation_forward", "pp i i f"),
    ACTIVATION_BACKWARD("elementwise", "fovea_activation_backward", "pppp i i f"),
    PRELU_FORWARD("elementwise", "fovea_prelu_forward", "ppp iiii"),
    PRELU_BACKWARD_DATA("elementwise", "fovea_prelu_backward_data", "pppp iiii"),
    PRELU_WEIGHT_PARTIALS("elementwise", "fovea_prelu_weight_partials", "ppp ii"),
    BIAS_ADD("elementwise", "fovea_bias_add", "pp iii"),
    SUM_SLICES("elementwise", "fovea_sum_slices", "pp iii"),
    SOFTMAX_FORWARD("elementwise", "fovea_softmax_forward", "pp iiii"),
    SOFTMAX_BACKWARD("elementwise", "fovea_softmax_backward", "ppp iiii"),
    COPY_BLOCKS("elementwise", "fovea_copy_blocks", "pp iiiiii"),

    BINARY("tensor", "fovea_binary", "ppp i iiiiii iiiiii iiiiii i"),
    SUM_TO("tensor", "fovea_sum_to", "pp iii iiiiii f"),
    STRIDED_COPY("tensor", "fovea_strided_copy", "pp i iiiiii iiiiii"),

    SUM_CHUNKS("loss", "fovea_sum_chunks", "pp ii f"),
    CHECK_LOSS_VALUES("loss", "fovea_check_loss_values", "pp ii"),
    ARGMAX_HITS("loss", "fovea_argmax_hits", "ppp ii"),
    SOFTMAX_XENT_FORWARD("loss", "fovea_softmax_xent_forward", "ppp ii"),
    SOFTMAX_XENT_BACKWARD("loss", "fovea_softmax_xent_backward", "ppp ii f"),
    BCE_FORWARD("loss", "fovea_bce_forward", "ppp i"),
    BCE_BACKWARD("loss", "fovea_bce_backward", "ppp i f"),
    BCE_LOGITS_FORWARD("loss", "fovea_bce_logits_forward", "ppp i"),
    BCE_LOGITS_BACKWARD("loss", "fovea_bce_logits_backward", "ppp i f"),
    MSE_FORWARD("loss", "fovea_mse_forward", "ppp i"),
    MSE_BACKWARD("loss", "fovea_mse_backward", "ppp i f"),

    BATCHNORM_PLANE_STATS("batchnorm", "fovea_batchnorm_plane_stats", "ppp ii"),
    BATCHNORM_COMBINE_STATS("batchnorm", "fovea_batchnorm_combine_stats", "pppppp iii ff"),
    BATCHNORM_APPLY("batchnorm", "fovea_batchnorm_apply", "pppppp iii"),
    BATCHNORM_INFERENCE("batchnorm", "fovea_batchnorm_inference", "pppppp iii f"),
    BATCHNORM_PLANE_GRADS("batchnorm", "fovea_batchnorm_plane_grads", "pppppp iii"),
    BATCHNORM_BACKWARD_DATA("batchnorm", "fovea_batchnorm_backward_data", "pppppppp iii"),
    BATCHNORM_RUNNING_INVSTD("batchnorm", "fovea_batchnorm_running_invstd", "pp i f"),

    SGD_UPDATE("optim", "fovea_sgd_update", "ppp i ffff ii"),
    ADAM_UPDATE("optim", "fovea_adam_update", "pppp i fffffff i"),
    ADAGRAD_UPDATE("optim", "fovea_adagrad_update", "ppp i fff"),
    RMSPROP_UPDATE("optim", "fovea_rmsprop_update", "ppppp i fffff"),
    ADADELTA_UPDATE("optim", "fovea_adadelta_update", "pppp i ffff");

    private final String module;
    private final String entry;
    private final String signature;

    Kernel(String module, String entry, String signature) {
        this.module = module;
        this.entry = entry;
        this.signature = signature.replace(" ", "");
    }

    String module() {
        return module;
    }

    String entry() {
        return entry;
    }

    /** One letter per parameter: p pointer, i int, f float. */
    String signature() {
        return signature;
    }

    /** The classpath resource of this kernel's PTX module. */
    String resource() {
        return "/dev/fovea/cuda/ptx/" + module + ".ptx";
    }

    /**
     * Checks launch arguments against the signature: a pointer parameter takes a JCuda pointer or
     * null (address 0, for the documented nullable ones), an int an Integer, a float a Float.
     */
    void checkArguments(Object... args) {
        if (args.length != signature.length()) {
            throw new IllegalArgumentException(entry + ": expects " + signature.length() + " arguments ("
                    + signature + "), got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            char kind = signature.charAt(i);
            Object a = args[i];
            boolean ok = switch (kind) {
                case 'p' -> a == null || a instanceof jcuda.Pointer;
                case 'i' -> a instanceof Integer;
                case 'f' -> a instanceof Float;
                default -> false;
            };
            if (!ok) {
                throw new IllegalArgumentException(entry + ": argument " + i + " must be "
                        + switch (kind) {
                            case 'p' -> "a device pointer";
                            case 'i' -> "an int";
                            default -> "a float";
                        } + ", got " + (a == null ? "null" : a.getClass().getSimpleName()));
            }
        }
    }

    @Override
    public String toString() {
        return entry.toLowerCase(Locale.ROOT);
    }
}
