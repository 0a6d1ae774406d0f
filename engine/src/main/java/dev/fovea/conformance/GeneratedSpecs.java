package dev.fovea.conformance;

import dev.fovea.conformance.GeneratedCases.Input;
import dev.fovea.conformance.GeneratedCases.Spec;
import dev.fovea.conformance.GeneratedCases.Values;
import dev.fovea.ops.Ops;
import dev.fovea.primitives.Activation;
import dev.fovea.tensor.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attribute combinations the generated suite covers, op by op: strides, paddings, dilations,
 * groups (depthwise included) and both modes for conv2d; window, stride, padding and
 * count_include_pad for pooling; adaptive output sizes, upsampling modes and pad modes; training and
 * inference batch norm; odd sizes and batch > 1 throughout. Every attribute an op declares is given,
 * with a value other than its default, by some spec (GeneratedSpecsTest checks it against the
 * declarations).
 */
final class GeneratedSpecs {
    /** Sums of a few dozen products of values in [-1, 1]: float32 reassociation stays far below this. */
    private static final Tolerance SUMS = new Tolerance(1e-4, 1e-3);
    private static final Tolerance POINTWISE = new Tolerance(1e-5, 1e-4);

    private GeneratedSpecs() {
    }

    static List<Spec> all() {
        List<Spec> specs = new ArrayList<>();
        conv(specs);
        pool(specs);
        spatial(specs);
        norm(specs);
        dense(specs);
        pointwise(specs);
        losses(specs);
        structural(specs);
        algebra(specs);
        return specs;
    }

    // name, N, Cin, H, W, Cout, kH, kW, stride, padding, dilation, groups, mode, bias
    private static void conv(List<Spec> s) {
        conv(s, "basic_3x3", 2, 3, 6, 6, 4, 3, 3, 1, 0, 1, 1, "cross_correlation", true);
        conv(s, "same_padding", 1, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, "cross_correlation", true);
        conv(s, "stride2_pad1", 2, 3, 7, 7, 2, 3, 3, 2, 1, 1, 1, "cross_correlation", true);
        conv(s, "dilation2_pad2", 1, 2, 8, 7, 3, 3, 3, 1, 2, 2, 1, "cross_correlation", true);
        conv(s, "groups2", 2, 4, 6, 5, 6, 3, 3, 1, 1, 1, 2, "cross_correlation", true);
        conv(s, "depthwise", 2, 4, 6, 6, 4, 3, 3, 1, 1, 1, 4, "cross_correlation", true);
        conv(s, "depthwise_multiplier2", 1, 3, 5, 6, 6, 3, 3, 2, 1, 1, 3, "cross_correlation", false);
        conv(s, "no_bias", 3, 2, 5, 5, 2, 3, 3, 1, 0, 1, 1, "cross_correlation", false);
        conv(s, "pointwise_1x1", 2, 5, 4, 4, 3, 1, 1, 1, 0, 1, 1, "cross_correlation", true);
        conv(s, "kernel_covers_input", 2, 2, 3, 3, 2, 3, 3, 1, 0, 1, 1, "cross_correlation", true);
        conv(s, "odd_sizes_5x7_k5", 3, 1, 5, 7, 2, 5, 3, 1, 1, 1, 1, "cross_correlation", true);
        conv(s, "convolution_mode_pad1", 2, 3, 5, 5, 2, 3, 3, 1, 1, 1, 1, "convolution", true);
        conv(s, "convolution_mode_s2_d2_g2", 1, 4, 9, 9, 4, 3, 3, 2, 2, 2, 2, "convolution", true);
        conv(s, "convolution_mode_2x3_kernel", 2, 2, 6, 5, 3, 2, 3, 1, 0, 1, 1, "convolution", true);
        // An output plane of 1056 pixels: the fast CPU backend runs such planes one image per GEMM, the
        // small ones above several images per GEMM (FastConv.TARGET_COLUMNS), so both routes are checked.
        conv(s, "large_plane_32x33_pad1", 2, 2, 32, 33, 3, 3, 3, 1, 1, 1, 1, "cross_correlation", true);
        // Stride-1 3x3 with at least 16 input and output channels: the fast CPU backend's Winograd route
        // (forward, input and weight gradient), with odd output sizes (cropped tiles), every padding it takes and
        // both modes; WinogradRouteConformanceTest checks that they take that route.
        conv(s, "winograd_pad1_odd_width", 2, 16, 6, 7, 16, 3, 3, 1, 1, 1, 1, "cross_correlation", true);
        conv(s, "winograd_pad0_convolution_mode", 1, 16, 7, 6, 17, 3, 3, 1, 0, 1, 1, "convolution", false);
        conv(s, "winograd_pad2", 1, 18, 5, 5, 16, 3, 3, 1, 2, 1, 1, "cross_correlation", true);
        // Per-axis attributes as [h, w] pairs.
        Map<String, Object> pairs = new LinkedHashMap<>();
        pairs.put("stride", List.of(2, 1));
        pairs.put("padding", List.of(1, 0));
        pairs.put("dilation", List.of(1, 2));
        s.add(new Spec("gen_conv2d_per_axis_pairs", "conv2d", pairs, List.of(
                in("input", 2, 2, 7, 8), in("weight", 3, 2, 3, 2), in("bias", 3)), true, SUMS));
    }

    private static void conv(List<Spec> s, String name, int n, int cin, int h, int w, int cout, int kh, int kw,
                             int stride, int padding, int dilation, int groups, String mode, boolean bias) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        // Written only where they differ from conv2d's declared defaults, as a user would write them.
        attrs.put("stride", stride);
        attrs.put("padding", padding);
        attrs.put("dilation", dilation);
        attrs.put("groups", groups);
        attrs.put("mode", mode);
        attrs.entrySet().removeIf(e -> e.getValue().equals(Ops.get("conv2d").attribute(e.getKey()).byDefault()));
        List<Input> inputs = new ArrayList<>(List.of(in("input", n, cin, h, w), in("weight", cout, cin / groups, kh, kw)));
        if (bias) {
            inputs.add(in("bias", cout));
        }
        s.add(new Spec("gen_conv2d_" + name, "conv2d", attrs, inputs, true, SUMS));
    }

    private static void pool(List<Spec> s) {
        for (String op : List.of("max_pool2d", "avg_pool2d", "min_pool2d")) {
            pool(s, op, "2x2_s2", 2, 2, 5, 6, attrs("kernel_size", 2));
            pool(s, op, "3x3_s2_pad1", 1, 3, 7, 7, attrs("kernel_size", 3, "stride", 2, "padding", 1));
            pool(s, op, "3x3_s1_pad1", 2, 2, 5, 4, attrs("kernel_size", 3, "stride", 1, "padding", 1));
            pool(s, op, "2x3_s1x2_pad1", 1, 2, 6, 7, attrs("kernel_size", List.of(2, 3), "stride", List.of(1, 2),
                    "padding", List.of(1, 1)));
        }
        pool(s, "avg_pool2d", "3x3_s2_pad1_exclude_pad", 2, 2, 6, 5,
                attrs("kernel_size", 3, "stride", 2, "padding", 1, "count_include_pad", false));
        s.add(new Spec("gen_global_avg_pool2d", "global_avg_pool2d", Map.of(), List.of(in("input", 2, 3, 5, 4)),
                true, POINTWISE));
        s.add(new Spec("gen_global_avg_pool2d_1x1", "global_avg_pool2d", Map.of(), List.of(in("input", 3, 2, 1, 1)),
                true, POINTWISE));
    }

    private static void pool(List<Spec> s, String op, String name, int n, int c, int h, int w, Map<String, Object> attrs) {
        s.add(new Spec("gen_" + op + "_" + name, op, attrs, List.of(in("input", n, c, h, w)), true, POINTWISE));
    }

    /** Adaptive pooling (sizes that do not divide, and upsizing), upsample in both modes and both size forms, pad in every mode. */
    private static void spatial(List<Spec> s) {
        for (String op : List.of("adaptive_avg_pool2d", "adaptive_max_pool2d")) {
            pool(s, op, "5x7_to_3x4", 2, 2, 5, 7, attrs("output_size", List.of(3, 4)));
            pool(s, op, "6x6_to_2", 1, 3, 6, 6, attrs("output_size", 2));
            pool(s, op, "4x3_to_1", 2, 1, 4, 3, attrs("output_size", 1));
        }
        // Upsizing: windows of one and two cells, each cell in up to four windows.
        pool(s, "adaptive_avg_pool2d", "3x4_up_to_5x6", 1, 2, 3, 4, attrs("output_size", List.of(5, 6)));
        pool(s, "adaptive_max_pool2d", "2x3_up_to_3x5", 1, 1, 2, 3, attrs("output_size", List.of(3, 5)));
        upsample(s, "nearest_size_5x7", 2, 2, 3, 4, attrs("mode", "nearest", "size", List.of(5, 7)));
        upsample(s, "nearest_scale_2", 1, 2, 3, 3, attrs("mode", "nearest", "scale_factor", 2.0));
        upsample(s, "nearest_scale_1_5x0_5", 2, 1, 4, 6, attrs("mode", "nearest", "scale_factor", List.of(1.5, 0.5)));
        for (boolean align : new boolean[] {false, true}) {
            String a = align ? "_align" : "";
            upsample(s, "bilinear_size_5x7" + a, 2, 2, 3, 4, attrs("mode", "bilinear", "size", List.of(5, 7),
                    "align_corners", align));
            upsample(s, "bilinear_scale_2_5" + a, 1, 2, 3, 2, attrs("mode", "bilinear", "scale_factor", 2.5,
                    "align_corners", align));
            upsample(s, "bilinear_down_7x5_to_3x2" + a, 1, 1, 7, 5, attrs("mode", "bilinear", "size", List.of(3, 2),
                    "align_corners", align));
        }
        pool(s, "pad", "constant", 2, 2, 3, 4, attrs("padding", List.of(1, 2, 0, 3), "value", 0.5));
        pool(s, "pad", "reflect", 1, 2, 4, 3, attrs("padding", List.of(2, 1, 3, 1), "mode", "reflect"));
        pool(s, "pad", "replicate", 2, 1, 3, 2, attrs("padding", List.of(3, 0, 2, 4), "mode", "replicate"));
    }

    private static void upsample(List<Spec> s, String name, int n, int c, int h, int w, Map<String, Object> attrs) {
        pool(s, "upsample", name, n, c, h, w, attrs);
    }

    private static void norm(List<Spec> s) {
        batchNorm(s, "training_4d", new int[] {3, 2, 4, 5}, attrs("training", true));
        batchNorm(s, "training_2d", new int[] {6, 3}, attrs("training", true, "momentum", 0.3, "eps", 1e-3));
        batchNorm(s, "inference_4d", new int[] {2, 3, 3, 4}, attrs("training", false));
        batchNorm(s, "inference_2d", new int[] {5, 4}, attrs("training", false, "eps", 1e-3));
        s.add(new Spec("gen_dropout_eval", "dropout", attrs("p", 0.25, "training", false, "seed", 7),
                List.of(in("input", 2, 3, 4)), true, POINTWISE));
    }

    private static void batchNorm(List<Spec> s, String name, int[] shape, Map<String, Object> attrs) {
        int c = shape[1];
        // Both modes differentiate: with training=false the running statistics are constants.
        s.add(new Spec("gen_batch_norm_" + name, "batch_norm", attrs, List.of(
                new Input("input", Shape.of(shape), Values.UNIFORM, 0),
                new Input("weight", Shape.of(c), Values.POSITIVE, 0),
                in("bias", c),
                in("running_mean", c),
                new Input("running_var", Shape.of(c), Values.POSITIVE, 0)),
                true, SUMS));
    }

    private static void dense(List<Spec> s) {
        s.add(new Spec("gen_linear", "linear", Map.of(), List.of(in("input", 3, 7), in("weight", 5, 7), in("bias", 5)),
                true, SUMS));
        s.add(new Spec("gen_linear_no_bias", "linear", Map.of(), List.of(in("input", 4, 9), in("weight", 2, 9)),
                true, SUMS));
        s.add(new Spec("gen_linear_batch1", "linear", Map.of(), List.of(in("input", 1, 16), in("weight", 10, 16),
                in("bias", 10)), true, SUMS));
    }

    private static void pointwise(List<Spec> s) {
        for (String op : List.of("relu", "sigmoid", "tanh")) {
            unary(s, op, "4d", Map.of(), 2, 3, 4, 5);
            unary(s, op, "2d", Map.of(), 5, 7);
        }
        unary(s, "leaky_relu", "default_slope", Map.of(), 2, 3, 4, 5);
        unary(s, "leaky_relu", "slope_0_2", attrs("negative_slope", 0.2), 4, 6);
        // Every other activation, from its declaration: each form at its defaults, and its attribute at 0.5.
        for (Activation kind : Activation.values()) {
            if (List.of(Activation.RELU, Activation.SIGMOID, Activation.TANH, Activation.LEAKY_RELU).contains(kind)) {
                continue;
            }
            boolean otherForm = !kind.approximate().equals("none");
            unary(s, kind.opName(), otherForm ? kind.approximate() : "4d",
                    otherForm ? attrs("approximate", kind.approximate()) : Map.of(), 2, 3, 4, 5);
            if (kind.parameter() != null) {
                unary(s, kind.opName(), kind.parameter() + "_0_5", attrs(kind.parameter(), 0.5), 4, 6);
            }
        }
        s.add(new Spec("gen_prelu_per_channel", "prelu", Map.of(), List.of(in("input", 2, 3, 4, 4), in("weight", 3)),
                true, POINTWISE));
        s.add(new Spec("gen_prelu_shared", "prelu", Map.of(), List.of(in("input", 2, 3, 4, 4), in("weight", 1)),
                true, POINTWISE));
        for (String op : List.of("softmax", "log_softmax")) {
            unary(s, op, "dim1_2d", attrs("dim", 1), 4, 10);
            unary(s, op, "dim_last_4d", attrs("dim", -1), 2, 3, 2, 5);
            unary(s, op, "dim1_4d", attrs("dim", 1), 2, 4, 3, 3);
            unary(s, op, "dim0", attrs("dim", 0), 3, 4);
        }
    }

    private static void unary(List<Spec> s, String op, String name, Map<String, Object> attrs, int... shape) {
        s.add(new Spec("gen_" + op + "_" + name, op, attrs, List.of(in("input", shape)), true, POINTWISE));
    }

    private static void losses(List<Spec> s) {
        s.add(new Spec("gen_cross_entropy", "cross_entropy", Map.of(), List.of(in("input", 6, 5),
                new Input("target", Shape.of(6), Values.CLASS_INDEX, 5)), true, POINTWISE));
        s.add(new Spec("gen_cross_entropy_batch1", "cross_entropy", Map.of(), List.of(in("input", 1, 10),
                new Input("target", Shape.of(1), Values.CLASS_INDEX, 10)), true, POINTWISE));
        s.add(new Spec("gen_binary_cross_entropy", "binary_cross_entropy", Map.of(), List.of(
                new Input("input", Shape.of(4, 3), Values.PROBABILITY, 0),
                new Input("target", Shape.of(4, 3), Values.BINARY, 0)), true, POINTWISE));
        s.add(new Spec("gen_binary_cross_entropy_soft_targets", "binary_cross_entropy", Map.of(), List.of(
                new Input("input", Shape.of(5), Values.PROBABILITY, 0),
                new Input("target", Shape.of(5), Values.PROBABILITY, 0)), true, POINTWISE));
        s.add(new Spec("gen_binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits", Map.of(), List.of(
                in("input", 4, 3), new Input("target", Shape.of(4, 3), Values.BINARY, 0)), true, POINTWISE));
        s.add(new Spec("gen_mse_loss", "mse_loss", Map.of(), List.of(in("input", 3, 4), in("target", 3, 4)),
                true, POINTWISE));
    }

    private static void structural(List<Spec> s) {
        s.add(new Spec("gen_add", "add", Map.of(), List.of(in("input", 2, 3, 4, 4), in("other", 2, 3, 4, 4)),
                true, POINTWISE));
        s.add(new Spec("gen_concat_channels", "concat", attrs("dim", 1), List.of(in("input", 2, 3, 4, 4),
                in("other", 2, 2, 4, 4)), true, POINTWISE));
        s.add(new Spec("gen_concat_batch", "concat", attrs("dim", 0), List.of(in("input", 1, 3), in("other", 2, 3)),
                true, POINTWISE));
        s.add(new Spec("gen_concat_last", "concat", attrs("dim", -1), List.of(in("input", 2, 3, 2),
                in("other", 2, 3, 5)), true, POINTWISE));
        s.add(new Spec("gen_flatten", "flatten", Map.of(), List.of(in("input", 2, 3, 4, 5)), true, POINTWISE));
        s.add(new Spec("gen_flatten_start2", "flatten", attrs("start_dim", 2), List.of(in("input", 2, 3, 4, 5)),
                true, POINTWISE));
        s.add(new Spec("gen_flatten_dims_1_to_2", "flatten", attrs("start_dim", 1, "end_dim", 2),
                List.of(in("input", 2, 3, 4, 5)), true, POINTWISE));
    }

    /** Broadcasting both ways and per channel, sums and means over several dims, permutes; divisors in [0.5, 1.5). */
    private static void algebra(List<Spec> s) {
        s.add(new Spec("gen_add_broadcast_channel", "add", Map.of(), List.of(in("input", 2, 3, 4, 4),
                in("other", 1, 3, 1, 1)), true, SUMS));
        s.add(new Spec("gen_sub_broadcast_both_ways", "sub", Map.of(), List.of(in("input", 2, 1, 4),
                in("other", 3, 1)), true, SUMS));
        s.add(new Spec("gen_sub_same_shape", "sub", Map.of(), List.of(in("input", 3, 5), in("other", 3, 5)),
                true, POINTWISE));
        s.add(new Spec("gen_mul_squeeze_excitation", "mul", Map.of(), List.of(in("input", 2, 3, 4, 5),
                in("other", 2, 3, 1, 1)), true, SUMS));
        s.add(new Spec("gen_mul_scalar_like", "mul", Map.of(), List.of(in("input", 2, 3), in("other", 1)), true, SUMS));
        s.add(new Spec("gen_mul_lower_rank_other", "mul", Map.of(), List.of(in("input", 2, 3, 4), in("other", 4)),
                true, SUMS));
        s.add(new Spec("gen_div_same_shape", "div", Map.of(), List.of(in("input", 2, 3, 4),
                new Input("other", Shape.of(2, 3, 4), Values.POSITIVE, 0)), true, POINTWISE));
        s.add(new Spec("gen_div_broadcast_input", "div", Map.of(), List.of(in("input", 3, 1),
                new Input("other", Shape.of(2, 3, 4), Values.POSITIVE, 0)), true, SUMS));
        s.add(new Spec("gen_sum_all", "sum", Map.of(), List.of(in("input", 2, 3, 4)), true, SUMS));
        s.add(new Spec("gen_sum_dims_0_2_keepdim", "sum", attrs("dim", List.of(0, 2), "keepdim", true),
                List.of(in("input", 2, 3, 4, 5)), true, SUMS));
        s.add(new Spec("gen_sum_negative_dim", "sum", attrs("dim", -1), List.of(in("input", 3, 4, 5)), true, SUMS));
        s.add(new Spec("gen_mean_hw_keepdim", "mean", attrs("dim", List.of(-1, -2), "keepdim", true),
                List.of(in("input", 2, 3, 4, 5)), true, SUMS));
        s.add(new Spec("gen_mean_dim1", "mean", attrs("dim", 1), List.of(in("input", 2, 3, 4)), true, SUMS));
        s.add(new Spec("gen_mean_all", "mean", Map.of(), List.of(in("input", 3, 5)), true, SUMS));
        s.add(new Spec("gen_reshape_inferred", "reshape", attrs("shape", List.of(4, -1)), List.of(in("input", 2, 3, 4)),
                true, POINTWISE));
        s.add(new Spec("gen_transpose_last_two", "transpose", attrs("dim0", 1, "dim1", -1),
                List.of(in("input", 2, 3, 4)), true, POINTWISE));
        s.add(new Spec("gen_permute_nchw_to_nhwc", "permute", attrs("dims", List.of(0, 2, 3, 1)),
                List.of(in("input", 2, 3, 4, 5)), true, POINTWISE));
    }

    private static Input in(String name, int... shape) {
        return new Input(name, Shape.of(shape), Values.UNIFORM, 0);
    }

    private static Map<String, Object> attrs(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
