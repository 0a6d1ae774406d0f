package dev.fovea.backend.cpu;

import dev.fovea.primitives.ConvGeometry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the fast CPU backend's convolution kernel for each shape, and records each choice once with
 * its reason (for {@link CpuBackend#decisions()}, which {@code fovea bench} prints). The choice depends on
 * the shape and the switch only, never on the thread count. {@code -Dfovea.winograd=off} turns the
 * Winograd route off, so that it can be compared with im2col in alternating runs; {@code
 * -Dfovea.winograd.wgrad=off} keeps it for the forward and input gradient but takes the weight gradient
 * back to im2col.
 */
final class ConvRouter {
    /** The convolution kernels of the fast CPU backend. */
    enum Route {
        /** {@link DirectDepthwise}: each output channel reads one input channel. */
        DIRECT,
        /** {@link Winograd} F(2x2, 3x3): forward, input gradient and weight gradient. */
        WINOGRAD,
        /**
         * {@link Winograd} F(2x2, 3x3) forward and input gradient, the weight gradient on im2col
         * ({@value #WEIGHT_GRAD_PROPERTY}=off).
         */
        WINOGRAD_DATA,
        /** {@link FastConv}: im2col + GEMM. */
        IM2COL
    }

    /** System property: "auto" (default) or "off". */
    static final String PROPERTY = "fovea.winograd";
    /** System property: "auto" (default) or "off", for the Winograd route's weight gradient. */
    static final String WEIGHT_GRAD_PROPERTY = "fovea.winograd.wgrad";

    private final boolean winograd;
    private final boolean winogradWeightGrad;
    private final Map<String, String> decisions = new LinkedHashMap<>();
    private final Map<ConvGeometry, Route> routes = new HashMap<>();

    ConvRouter(boolean winograd, boolean winogradWeightGrad) {
        this.winograd = winograd;
        this.winogradWeightGrad = winogradWeightGrad;
    }

    /** The router the system properties {@value #PROPERTY} and {@value #WEIGHT_GRAD_PROPERTY} select. */
    static ConvRouter fromProperties() {
        return new ConvRouter(allowed(PROPERTY), allowed(WEIGHT_GRAD_PROPERTY));
    }

    /** Whether the switch {@code property} ("auto" or "off") lets its route be used. */
    static boolean allowed(String property) {
        String value = System.getProperty(property, "auto").trim();
        return switch (value) {
            case "auto", "" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("-D" + property + "=" + value + ": expected auto or off");
        };
    }

    /**
     * The route of {@code g}'s convolution. Decided once per geometry (a training step asks for every
     * layer, forward and backward), so the reason and its text are built only the first time.
     */
    synchronized Route route(ConvGeometry g) {
        Route cached = routes.get(g);
        if (cached != null) {
            return cached;
        }
        Route r;
        String why;
        String declined = Winograd.declines(g);
        if (g.oneInputChannelPerGroup()) {
            r = Route.DIRECT;
            why = "direct kernel (one input channel per output channel)";
        } else if (declined == null && winograd && winogradWeightGrad) {
            r = Route.WINOGRAD;
            why = "Winograd F(2x2,3x3) forward, input gradient and weight gradient";
        } else if (declined == null && winograd) {
            r = Route.WINOGRAD_DATA;
            why = "Winograd F(2x2,3x3) forward and input gradient, im2col + GEMM weight gradient (off by -D"
                    + WEIGHT_GRAD_PROPERTY + "=off)";
        } else {
            r = Route.IM2COL;
            why = "im2col + GEMM (Winograd: " + (declined == null ? "off by -D" + PROPERTY + "=off" : declined) + ")";
        }
        decisions.putIfAbsent("conv2d " + g.cin() + "x" + g.h() + "x" + g.w() + " -> " + g.cout() + "x" + g.oh() + "x"
                + g.ow() + " kernel " + g.kh() + "x" + g.kw() + " stride " + g.strideH() + "x" + g.strideW() + " pad "
                + g.padH() + "x" + g.padW() + " dilation " + g.dilationH() + "x" + g.dilationW() + " groups "
                + g.groups(), why);
        routes.put(g, r);
        return r;
    }

    synchronized List<String> decisions() {
        List<String> out = new ArrayList<>();
        decisions.forEach((k, why) -> out.add(k + ": " + why));
        return out;
    }
}
