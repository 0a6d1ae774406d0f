package dev.fovea.primitives;

import java.util.Arrays;
import java.util.List;

/**
 * Pointwise activations without learned parameters (PReLU has its own backend entry), each declared
 * once: its op name, its one optional number attribute, and its scalar formula and derivative. The
 * reference and the fast CPU backends evaluate exactly these methods; the CUDA backend runs one pair
 * of generic kernels ({@code fovea_activation_forward/backward} in cuda-kernels/src/elementwise.cu)
 * that switch on {@link #code()}, and whose cases mirror these formulas in CUDA C.
 *
 * <p>Formulas and the choices at kinks and NaN follow PyTorch 1.13 (ATen's CPU kernels): the ReLU
 * gradient at exactly 0 is 0; ReLU passes NaN and -0. Most derivatives are of the input {@code x};
 * sigmoid and tanh differentiate through the output {@code y}. Transcendental formulas are evaluated
 * in double and rounded once; piecewise-linear ones in float, as PyTorch does.
 *
 * <p>Each constant also declares its ONNX forms ({@link OnnxForm}: the operator, or the formula
 * opset 17 spells it as) and worked examples ({@link #examples()}). Adding an activation: a constant
 * here, a case in each of the two generic kernels in elementwise.cu (its code is the constant's
 * position) and the regenerated PTX, and PyTorch's values from make_activation_cases.py. Registry
 * ops, model-file layer types, ONNX export and import, the backends and every test enumerate this type.
 */
public enum Activation {
    RELU("relu", null, 0, "Relu(x)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-2, 0, 0),
                    example(0, 0, 0),
                    example(0.5, 0.5, 1),
                    example(2, 2, 1));
        }

        @Override
        public float forward(float x, float p) {
            // PyTorch's clamp_min(x, 0): NaN and -0 pass through.
            return x < 0 ? 0f : x;
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            // Passes the gradient where the output is NaN (x <= 0 is false for NaN).
            return x <= 0 ? 0f : dy;
        }
    },
    LEAKY_RELU("leaky_relu", "negative_slope", 0.01, "LeakyRelu(x; alpha=p)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-2, 0.01, -0.02, 0.01),
                    example(0, 0.01, 0, 0.01),
                    example(2, 0.01, 2, 1),
                    example(-0.5, 0.2, -0.1, 0.2));
        }

        @Override
        public float forward(float x, float p) {
            return x > 0 ? x : x * p;
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return x > 0 ? dy : dy * p;
        }
    },
    SIGMOID("sigmoid", null, 0, "Sigmoid(x)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-0.5, 0.37754066879814546, 0.2350037122015945),
                    example(0, 0.5, 0.25),
                    example(2, 0.8807970779778824, 0.10499358540350652));
        }

        @Override
        public float forward(float x, float p) {
            return (float) sigmoid(x);
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return dy * y * (1 - y);
        }
    },
    TANH("tanh", null, 0, "Tanh(x)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-2, -0.9640275800758169, 0.07065082485316447),
                    example(0, 0, 1),
                    example(0.5, 0.46211715726000974, 0.7864477329659274));
        }

        @Override
        public float forward(float x, float p) {
            return (float) tanh(x);
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return dy * (1 - y * y);
        }
    },
    /**
     * x * relu6(x + 3) / 6; the gradient is 0 below -3, dy from 3 on, dy * (x/3 + 1/2) between (NaN at
     * NaN). These are ATen's vectorised CPU kernel's choices, which it applies to all but a tensor's
     * last few elements (its scalar tail takes x = 3 into the middle piece and gives dy at NaN).
     */
    HARDSWISH("hardswish", null, 0,
            "HardSwish(x)", "HardSigmoid(x; alpha=0.16666666666666666, beta=0.5); Mul(x, #0)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-4, 0, 0),
                    example(-3, 0, -0.5),
                    example(-1, -0.3333333333333333, 0.16666666666666666),
                    example(1, 0.6666666666666666, 0.8333333333333334),
                    example(3, 3, 1),
                    example(4, 4, 1));
        }

        @Override
        public float forward(float x, float p) {
            return x * relu6(x + 3f) / 6f;
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return x < -3f ? 0f : x >= 3f ? dy : dy * (x / 3f + 0.5f);
        }
    },
    /** relu6(x + 3) / 6; the gradient is dy / 6 strictly inside (-3, 3), else 0 (NaN included). */
    HARDSIGMOID("hardsigmoid", null, 0, "HardSigmoid(x; alpha=0.16666666666666666, beta=0.5?)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-3, 0, 0),
                    example(0, 0.5, 0.16666666666666666),
                    example(1.5, 0.75, 0.16666666666666666),
                    example(3, 1, 0));
        }

        @Override
        public float forward(float x, float p) {
            return relu6(x + 3f) / 6f;
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return x > -3f && x < 3f ? dy / 6f : 0f;
        }
    },
    /** x * sigmoid(x). */
    SILU("silu", null, 0, "Sigmoid(x); Mul(x, #0)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-2, -0.23840584404423512, -0.09078424878489548),
                    example(0, 0, 0.5),
                    example(1, 0.7310585786300049, 0.9276705118714867));
        }

        @Override
        public float forward(float x, float p) {
            return (float) (x * sigmoid(x));
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            double s = sigmoid(x);
            return (float) (dy * s * (1 + x * (1 - s)));
        }
    },
    /** PyTorch's gelu(approximate='none'): x * Phi(x), Phi the standard normal CDF through erf. */
    GELU("gelu", null, 0, "Div(x, 1.4142135623730951); Erf(#0); Add(#1, 1); Mul(x, #2); Mul(#3, 0.5)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-1, -0.15865525393145705, -0.0833154705876863),
                    example(0, 0, 0.5),
                    example(1, 0.8413447460685429, 1.0833154705876864));
        }

        @Override
        public float forward(float x, float p) {
            return (float) (x * 0.5 * (1 + erf(x * SQRT1_2)));
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            double cdf = 0.5 * (1 + erf(x * SQRT1_2));
            double pdf = Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
            return (float) (dy * (cdf + x * pdf));
        }
    },
    /** PyTorch's gelu(approximate='tanh'): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    GELU_TANH("gelu", null, 0,
            "Mul(x, x); Mul(#0, x); Mul(#1, 0.044715); Add(x, #2); Mul(#3, 0.7978845608028654); Tanh(#4); Add(#5, 1); Mul(x, #6); Mul(#7, 0.5)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-1, -0.1588080093917233, -0.08296408384578255),
                    example(0, 0, 0.5),
                    example(1, 0.8411919906082767, 1.0829640838457826));
        }

        @Override
        public float forward(float x, float p) {
            double inner = SQRT_2_PI * (x + GELU_KAPPA * x * x * x);
            return (float) (0.5 * x * (1 + tanh(inner)));
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            double t = tanh(SQRT_2_PI * (x + GELU_KAPPA * x * x * x));
            double left = 0.5 * x;
            double right = 1 + t;
            double rightDerivative = (1 - t * t) * SQRT_2_PI * (1 + 3 * GELU_KAPPA * x * x);
            return (float) (dy * (0.5 * right + left * rightDerivative));
        }

        @Override
        public String approximate() {
            return "tanh";
        }
    },
    /** x * tanh(softplus(x)), softplus(x) = log1p(exp(x)) (no threshold, as PyTorch's mish). */
    MISH("mish", null, 0, "Softplus(x); Tanh(#0); Mul(x, #1)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-1, -0.3034014613741089, 0.05921675587739495),
                    example(0, 0, 0.6),
                    example(1, 0.8650983882673103, 1.0490362200997922));
        }

        @Override
        public float forward(float x, float p) {
            return (float) (x * tanh(Math.log1p(Math.exp(x))));
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            double s = sigmoid(x);
            double t = tanh(Math.log1p(Math.exp(x)));
            return (float) (dy * (t + x * s * (1 - t * t)));
        }
    },
    /**
     * x for x > 0, alpha (exp(x) - 1) otherwise; the gradient at NaN is NaN, as ATen's vectorised CPU
     * kernel gives it (its scalar tail gives dy).
     */
    ELU("elu", "alpha", 1.0, "Elu(x; alpha=p)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-1, 1, -0.6321205588285577, 0.36787944117144233),
                    example(0, 1, 0, 1),
                    example(2, 1, 2, 1),
                    example(-1, 0.5, -0.31606027941427883, 0.18393972058572117));
        }

        @Override
        public float forward(float x, float p) {
            return x <= 0 ? (float) (p * Math.expm1(x)) : x;
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return x > 0 ? dy : (float) (dy * (double) p * Math.exp(x));
        }
    },
    /**
     * min(max(x, 0), 6) (PyTorch's hardtanh(x, 0, 6)): NaN and -0 pass through; the gradient is dy
     * strictly inside (0, 6), else 0 (NaN included).
     */
    RELU6("relu6", null, 0, "Clip(x, 0, 6)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-1, 0, 0),
                    example(0, 0, 0),
                    example(3, 3, 1),
                    example(6, 6, 0),
                    example(7, 6, 0));
        }

        @Override
        public float forward(float x, float p) {
            return relu6(x);
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return x > 0 && x < 6 ? dy : 0f;
        }
    },
    /**
     * PyTorch's softplus(x, beta, threshold=20): log1p(exp(beta x)) / beta, and x itself where the
     * float product beta x exceeds 20 (as ATen compares it; ONNX's Softplus has no threshold, and past
     * it differs from x by less than a float rounding). The gradient is dy sigmoid(beta x), dy past
     * the threshold. PyTorch exports beta 1 as Softplus, any other as Softplus(beta x) / beta.
     */
    SOFTPLUS("softplus", "beta", 1.0, "Softplus(x)", "Mul(x, p); Softplus(#0); Div(#1, p)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-2, 1, 0.1269280110429725, 0.11920292202211756),
                    example(0, 1, 0.6931471805599453, 0.5),
                    example(1, 1, 1.3132616875182228, 0.7310585786300049),
                    example(25, 1, 25, 1),
                    example(1, 2, 1.0634640055214863, 0.8807970779778824),
                    example(11, 2, 11, 1));
        }

        @Override
        public float forward(float x, float p) {
            float bx = x * p;
            return bx > SOFTPLUS_THRESHOLD ? x : (float) (Math.log1p(Math.exp(bx)) / p);
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            float bx = x * p;
            return bx > SOFTPLUS_THRESHOLD ? dy : (float) (dy * sigmoid(bx));
        }
    },
    /**
     * PyTorch's selu: scale x for x > 0, scale alpha (exp(x) - 1) otherwise, with alpha and scale as
     * floats and their product taken in float (ATen's elu kernel); the gradient is dy scale or
     * dy scale alpha exp(x) (at 0 the latter, and NaN at NaN, as ATen's vectorised kernel gives).
     * ONNX's Selu defaults are the same two constants.
     */
    SELU("selu", null, 0, "Selu(x; alpha=1.6732632423543772?, gamma=1.0507009873554805?)") {
        @Override
        public List<Example> examples() {
            return List.of(example(-1, -1.1113307378125628, 0.6467686030348141),
                    example(0, 0, 1.7580993408473768),
                    example(1, 1.0507009873554805, 1.0507009873554805),
                    example(2, 2.101401974710961, 1.0507009873554805));
        }

        @Override
        public float forward(float x, float p) {
            return x > 0 ? x * SELU_SCALE : (float) (SELU_NEGATIVE * Math.expm1(x));
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return x > 0 ? dy * SELU_SCALE : (float) (dy * SELU_NEGATIVE * Math.exp(x));
        }
    };

    private static final double SQRT1_2 = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double SQRT_2_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_KAPPA = 0.044715;
    /** PyTorch's default softplus threshold, fixed: Fovea's softplus has beta as its one attribute. */
    private static final float SOFTPLUS_THRESHOLD = 20f;
    private static final float SELU_SCALE = 1.0507009873554804934193349852946f;
    /** scale * alpha, multiplied in float as ATen does. */
    private static final float SELU_NEGATIVE = 1.6732632423543772848170429916717f * SELU_SCALE;

    private final String opName;
    private final String parameter;
    private final double defaultParameter;
    private final List<OnnxForm> onnx;

    Activation(String opName, String parameter, double defaultParameter, String... onnx) {
        this.opName = opName;
        this.parameter = parameter;
        this.defaultParameter = defaultParameter;
        this.onnx = Arrays.stream(onnx).map(OnnxForm::parse).toList();
    }

    /**
     * An exact input-output pair worked out by hand or in high precision (not by these formulas): at
     * input {@code x} and attribute value {@code p}, {@code y = f(x)} and {@code dydx = f'(x)}, PyTorch's
     * one-sided choice at a kink.
     */
    public record Example(double x, double p, double y, double dydx) {
    }

    /** The op name in case files, model files and the graph (GELU's two forms share "gelu"). */
    public String opName() {
        return opName;
    }

    /** The name of the op's one number attribute (leaky ReLU's negative_slope, ELU's alpha), or null. */
    public String parameter() {
        return parameter;
    }

    /** The attribute's value when an op leaves it out, as in PyTorch. */
    public double defaultParameter() {
        return defaultParameter;
    }

    /** PyTorch's approximate= for the ops that have that attribute (gelu): "none" unless overridden. */
    public String approximate() {
        return "none";
    }

    /**
     * Its ONNX forms, the one {@link #onnx(double)} chooses for export first; an importer reads each
     * (PyTorch writes some activations differently at older opsets: hardswish before opset 14).
     */
    public List<OnnxForm> onnxForms() {
        return onnx;
    }

    /**
     * The ONNX form to write at attribute value {@code p}: the first that carries the attribute, or
     * that fixes it at {@code p} (a form without the attribute stands for the default).
     */
    public OnnxForm onnx(double p) {
        for (OnnxForm f : onnx) {
            if (parameter == null || f.usesParameter() || (float) p == (float) defaultParameter) {
                return f;
            }
        }
        throw new IllegalArgumentException(opName + ": " + parameter + " " + p + " has no ONNX form (only "
                + defaultParameter + ")");
    }

    /** Worked examples the formulas must reproduce; every constant has some, at a non-default attribute too. */
    public abstract List<Example> examples();

    /** The kind argument of the generic CUDA kernels: the constant's position (elementwise.cu mirrors it). */
    public int code() {
        return ordinal();
    }

    /** y = f(x) with the attribute value {@code p} (ignored by activations without one). */
    public abstract float forward(float x, float p);

    /** dx = dy * f'(x), given the input x and the forward output y = f(x). */
    public abstract float backward(float dy, float x, float y, float p);

    /** 1/(1+e^-x) evaluated so that neither branch exponentiates a large positive number. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /**
     * tanh in double without {@code Math.tanh}, which on JDK 17 is a native fdlibm call per element
     * (about 150 ns, 60% of lenet5's inference): below 1/16 its Taylor series to x^11 (truncation
     * under 1e-14 relative), above it 1 - 2/(e^(2|x|) + 1) on the intrinsic exp (relative error
     * under 2e-14 there). Rounded to float it gave Math.tanh's float bit for bit over 64 million
     * inputs (a sweep of every 97th float, both signs, and Gaussian samples); -0, NaN and the limits
     * +-1 come out as from Math.tanh.
     */
    public static double tanh(double x) {
        double a = Math.abs(x);
        double t;
        if (a < 0.0625) {
            double s = a * a;
            t = a + a * s * (-1.0 / 3 + s * (2.0 / 15 + s * (-17.0 / 315 + s * (62.0 / 2835 + s * (-1382.0 / 155925)))));
        } else {
            t = 1 - 2 / (Math.exp(2 * a) + 1);
        }
        return Math.copySign(t, x);
    }

    /**
     * The error function to about 1e-15 relative: erf(x) = 2/sqrt(pi) e^(-x^2) sum_n (2x^2)^n x / (2n+1)!!,
     * a series of positive terms (no cancellation); |x| >= 6 is +-1 in double.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a >= 6) {
            return Math.copySign(1, x);
        }
        double x2 = 2 * a * a;
        double term = a;
        double sum = a;
        for (int n = 1; term > 1e-17 * sum; n++) {
            term *= x2 / (2 * n + 1);
            sum += term;
        }
        return Math.copySign(Math.min(1, 2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum), x);
    }

    private static Example example(double x, double y, double dydx) {
        return new Example(x, 0, y, dydx);
    }

    private static Example example(double x, double p, double y, double dydx) {
        return new Example(x, p, y, dydx);
    }

    /** min(max(v, 0), 6) with NaN passing through, as std::min/std::max in ATen. */
    private static float relu6(float v) {
        return v < 0f ? 0f : v > 6f ? 6f : v;
    }
}
