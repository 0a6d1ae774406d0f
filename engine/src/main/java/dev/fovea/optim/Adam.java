package dev.fovea.optim;

import java.util.List;

/**
 * Adam and AdamW (PyTorch's torch.optim.Adam / AdamW). With {@code decoupled} the weight decay
 * shrinks the parameter directly (AdamW) instead of being added to the gradient (Adam's L2).
 */
public record Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled)
        implements OptimizerConfig {

    public Adam {
        OptimizerConfig.requireNonNegative(decoupled ? "adamw" : "adam", "lr", lr);
        OptimizerConfig.requireUnit(decoupled ? "adamw" : "adam", "beta1", beta1);
        OptimizerConfig.requireUnit(decoupled ? "adamw" : "adam", "beta2", beta2);
        OptimizerConfig.requireNonNegative(decoupled ? "adamw" : "adam", "eps", eps);
        OptimizerConfig.requireNonNegative(decoupled ? "adamw" : "adam", "weight_decay", weightDecay);
    }

    public static Adam adam(double lr) {
        return new Adam(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** PyTorch's AdamW defaults: weight decay 0.01. */
    public static Adam adamW(double lr) {
        return new Adam(lr, 0.9, 0.999, 1e-8, 0.01, true);
    }

    @Override
    public String name() {
        return decoupled ? "adamw" : "adam";
    }

    @Override
    public List<String> stateNames() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    public void update(float[] param, float[] grad, float[][] state, long step, double lr, int from, int to) {
        float[] m = state[0];
        float[] v = state[1];
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bc1;
        for (int i = from; i < to; i++) {
            double p = param[i];
            double g = grad[i];
            if (decoupled) {
                p *= 1 - lr * weightDecay;
            } else {
                g += weightDecay * p;
            }
            double mi = beta1 * m[i] + (1 - beta1) * g;
            double vi = beta2 * v[i] + (1 - beta2) * g * g;
            m[i] = (float) mi;
            v[i] = (float) vi;
            param[i] = (float) (p - stepSize * mi / (Math.sqrt(vi) / bc2Sqrt + eps));
        }
    }
}
