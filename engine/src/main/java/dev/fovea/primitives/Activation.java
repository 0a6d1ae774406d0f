package dev.fovea.primitives;

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
 * <p>Adding an activation: a constant here (op name, attribute, formula, derivative), a case in
 * each of the two generic kernels in elementwise.cu (its code is the constant's position), the
 * regenerated PTX, and a conformance case file with PyTorch's values. Registry ops, model-file layer
 * types, graph-builder access, the backends and the kernel tests all enumerate this type.
 */
public enum Activation {
    RELU("relu", null, 0) {
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
    LEAKY_RELU("leaky_relu", "negative_slope", 0.01) {
        @Override
        public float forward(float x, float p) {
            return x > 0 ? x : x * p;
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return x > 0 ? dy : dy * p;
        }
    },
    SIGMOID("sigmoid", null, 0) {
        @Override
        public float forward(float x, float p) {
            return (float) sigmoid(x);
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return dy * y * (1 - y);
        }
    },
    TANH("tanh", null, 0) {
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
    HARDSWISH("hardswish", null, 0) {
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
    HARDSIGMOID("hardsigmoid", null, 0) {
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
    SILU("silu", null, 0) {
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
    GELU("gelu", null, 0) {
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
    GELU_TANH("gelu", null, 0) {
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
    MISH("mish", null, 0) {
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
    ELU("elu", "alpha", 1.0) {
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
    RELU6("relu6", null, 0) {
        @Override
        public float forward(float x, float p) {
            return relu6(x);
        }

        @Override
        public float backward(float dy, float x, float y, float p) {
            return x > 0 && x < 6 ? dy : 0f;
        }
    };

    private static final double SQRT1_2 = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double SQRT_2_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_KAPPA = 0.044715;

    private final String opName;
    private final String parameter;
    private final double defaultParameter;

    Activation(String opName, String parameter, double defaultParameter) {
        this.opName = opName;
        this.parameter = parameter;
        this.defaultParameter = defaultParameter;
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

    /** min(max(v, 0), 6) with NaN passing through, as std::min/std::max in ATen. */
    private static float relu6(float v) {
        return v < 0f ? 0f : v > 6f ? 6f : v;
    }
}
