package dev.fovea.kernels;

import dev.fovea.kernels.KernelEmulator.Flavour;
import dev.fovea.kernels.KernelEmulator.Launch;
import dev.fovea.optim.AdaDelta;
import dev.fovea.optim.AdaGrad;
import dev.fovea.optim.Adam;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.optim.RmsProp;
import dev.fovea.optim.Sgd;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The fused optimizer kernels on the CPU over five steps with fresh gradients each step, against
 * updates hand-computed in double from PyTorch's documented rules (written out below, independently
 * of the kernels), and against the engine's own optimizers (dev.fovea.optim). Every option is
 * covered: SGD with and without momentum, dampening, Nesterov, weight decay; Adam, Adam with L2
 * decay, AdamW; AdaGrad with learning-rate decay; RMSProp plain, with momentum, centered; AdaDelta.
 * Tolerance abs 1e-6 + rel 1e-5: five steps of float arithmetic and float state against double.
 */
class OptimizerEmulationTest {
    private static final int N = 53;
    private static final int STEPS = 5;

    /** A hand-computed update in double; state buffers in the kernel's order. */
    @FunctionalInterface
    interface Rule {
        void step(double[] w, double[][] state, double[] g, int t);
    }

    /**
     * One optimizer setting: the kernel, its state buffers (null entries are passed as null
     * pointers), the scalar arguments for step t, the hand-computed rule and the engine optimizer.
     */
    record Spec(String name, String kernel, String[] states, IntFunction<Object[]> scalars, Rule rule,
                OptimizerConfig engine) {
    }

    static List<Spec> specs() {
        List<Spec> specs = new ArrayList<>();
        for (double[] s : new double[][] {{0, 0, 0, 0}, {0.9, 0, 0, 0}, {0.9, 0.9, 0, 0}, {0.9, 0, 1, 0.01},
                {0, 0, 0, 5e-4}, {0.5, 0.3, 0, 0.1}}) {
            double lr = 0.1;
            double mom = s[0];
            double damp = s[1];
            boolean nesterov = s[2] == 1;
            double wd = s[3];
            specs.add(new Spec("sgd momentum " + mom + " dampening " + damp + " nesterov " + nesterov + " wd " + wd,
                    "fovea_sgd_update", new String[] {mom == 0 ? null : "buf"},
                    t -> new Object[] {(float) lr, (float) mom, (float) damp, (float) wd, nesterov ? 1 : 0,
                            t == 1 ? 1 : 0},
                    (w, st, g, t) -> {
                        for (int i = 0; i < w.length; i++) {
                            double d = g[i] + wd * w[i];
                            if (mom != 0) {
                                st[0][i] = t == 1 ? d : mom * st[0][i] + (1 - damp) * d;
                                d = nesterov ? d + mom * st[0][i] : st[0][i];
                            }
                            w[i] -= lr * d;
                        }
                    }, new Sgd(lr, mom, damp, nesterov, wd)));
        }
        for (double[] s : new double[][] {{0, 0}, {0.01, 0}, {0.01, 1}}) {
            double lr = 1e-2;
            double b1 = 0.9;
            double b2 = 0.999;
            double eps = 1e-8;
            double wd = s[0];
            boolean decoupled = s[1] == 1;
            specs.add(new Spec((decoupled ? "adamw" : "adam") + " wd " + wd, "fovea_adam_update",
                    new String[] {"m", "v"},
                    t -> new Object[] {(float) lr, (float) b1, (float) b2, (float) eps, (float) wd,
                            (float) (1 - Math.pow(b1, t)), (float) (1 - Math.pow(b2, t)), decoupled ? 1 : 0},
                    (w, st, g, t) -> {
                        for (int i = 0; i < w.length; i++) {
                            double grad = g[i];
                            if (decoupled) {
                                w[i] *= 1 - lr * wd;
                            } else {
                                grad += wd * w[i];
                            }
                            st[0][i] = b1 * st[0][i] + (1 - b1) * grad;
                            st[1][i] = b2 * st[1][i] + (1 - b2) * grad * grad;
                            double mHat = st[0][i] / (1 - Math.pow(b1, t));
                            double vHat = st[1][i] / (1 - Math.pow(b2, t));
                            w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                        }
                    }, new Adam(lr, b1, b2, eps, wd, decoupled)));
        }
        double aLr = 0.1;
        double aDecay = 0.01;
        double aWd = 1e-3;
        double aEps = 1e-10;
        specs.add(new Spec("adagrad", "fovea_adagrad_update", new String[] {"sum"},
                t -> new Object[] {(float) (aLr / (1 + (t - 1) * aDecay)), (float) aEps, (float) aWd},
                (w, st, g, t) -> {
                    double clr = aLr / (1 + (t - 1) * aDecay);
                    for (int i = 0; i < w.length; i++) {
                        double grad = g[i] + aWd * w[i];
                        st[0][i] += grad * grad;
                        w[i] -= clr * grad / (Math.sqrt(st[0][i]) + aEps);
                    }
                }, new AdaGrad(aLr, aDecay, aWd, aEps)));
        for (double[] s : new double[][] {{0, 0, 0}, {0.9, 0, 0}, {0.9, 1, 0.01}, {0, 1, 0}}) {
            double lr = 1e-2;
            double alpha = 0.99;
            double eps = 1e-8;
            double mom = s[0];
            boolean centered = s[1] == 1;
            double wd = s[2];
            specs.add(new Spec("rmsprop momentum " + mom + " centered " + centered + " wd " + wd,
                    "fovea_rmsprop_update", new String[] {"sq", centered ? "gavg" : null, mom > 0 ? "buf" : null},
                    t -> new Object[] {(float) lr, (float) alpha, (float) eps, (float) wd, (float) mom},
                    (w, st, g, t) -> {
                        for (int i = 0; i < w.length; i++) {
                            double grad = g[i] + wd * w[i];
                            st[0][i] = alpha * st[0][i] + (1 - alpha) * grad * grad;
                            double var = st[0][i];
                            if (centered) {
                                st[1][i] = alpha * st[1][i] + (1 - alpha) * grad;
                                var -= st[1][i] * st[1][i];
                            }
                            double avg = Math.sqrt(var) + eps;
                            if (mom > 0) {
                                st[2][i] = mom * st[2][i] + grad / avg;
                                w[i] -= lr * st[2][i];
                            } else {
                                w[i] -= lr * grad / avg;
                            }
                        }
                    }, new RmsProp(lr, alpha, eps, wd, mom, centered)));
        }
        double dLr = 1.0;
        double rho = 0.9;
        double dEps = 1e-6;
        double dWd = 0.01;
        specs.add(new Spec("adadelta", "fovea_adadelta_update", new String[] {"sq", "acc"},
                t -> new Object[] {(float) dLr, (float) rho, (float) dEps, (float) dWd},
                (w, st, g, t) -> {
                    for (int i = 0; i < w.length; i++) {
                        double grad = g[i] + dWd * w[i];
                        st[0][i] = rho * st[0][i] + (1 - rho) * grad * grad;
                        double delta = Math.sqrt(st[1][i] + dEps) / Math.sqrt(st[0][i] + dEps) * grad;
                        st[1][i] = rho * st[1][i] + (1 - rho) * delta * delta;
                        w[i] -= dLr * delta;
                    }
                }, new AdaDelta(dLr, rho, dEps, dWd)));
        return specs;
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void fiveStepsMatchHandComputedAndEngineUpdates(Flavour flavour) {
        KernelEmulator emu = KernelEmulator.get(flavour);
        for (Spec spec : specs()) {
            float[] w0 = Arrays2.random(N, 1);
            float[][] grads = new float[STEPS][];
            for (int t = 0; t < STEPS; t++) {
                grads[t] = Arrays2.random(N, 100 + t);
            }

            KernelEmulator.Script s = emu.script().floats("w", w0);
            for (String st : spec.states) {
                if (st != null) {
                    s.floats(st, new float[N]);
                }
            }
            for (int t = 1; t <= STEPS; t++) {
                s.floats("g" + t, grads[t - 1]);
                List<Object> args = new ArrayList<>(List.of("g" + t, "w"));
                for (String st : spec.states) {
                    args.add(st);
                }
                args.add(N);
                args.addAll(List.of(spec.scalars.apply(t)));
                s.reverse(t % 2 == 0).launch(spec.kernel, t % 2 == 0 ? new Launch(2, 32) : new Launch(3, 7),
                        args.toArray());
            }
            KernelEmulator.Result kernel = s.run();

            double[] w = new double[N];
            for (int i = 0; i < N; i++) {
                w[i] = w0[i];
            }
            double[][] state = new double[spec.states.length][N];
            for (int t = 1; t <= STEPS; t++) {
                double[] g = new double[N];
                for (int i = 0; i < N; i++) {
                    g[i] = grads[t - 1][i];
                }
                spec.rule.step(w, state, g, t);
            }
            Compare.close(spec.name + ": weights vs hand-computed", floats(w), kernel.floats("w"), 1e-6, 1e-5);
            for (int k = 0; k < spec.states.length; k++) {
                if (spec.states[k] != null) {
                    Compare.close(spec.name + ": state " + spec.states[k] + " vs hand-computed", floats(state[k]),
                            kernel.floats(spec.states[k]), 1e-6, 1e-5);
                }
            }

            float[] engine = w0.clone();
            float[][] engineState = new float[spec.engine.stateNames().size()][N];
            for (int t = 1; t <= STEPS; t++) {
                spec.engine.update(engine, grads[t - 1], engineState, t, spec.engine.lr(), 0, N);
            }
            Compare.close(spec.name + ": weights vs dev.fovea.optim", engine, kernel.floats("w"), 1e-6, 1e-5);
        }
    }

    private static float[] floats(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
