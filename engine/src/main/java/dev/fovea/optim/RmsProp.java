package dev.fovea.optim;

import java.util.ArrayList;
import java.util.List;

/** RMSProp (PyTorch's torch.optim.RMSprop), optionally centred and with momentum. */
public record RmsProp(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered)
        implements OptimizerConfig {

    public RmsProp {
        OptimizerConfig.requireNonNegative("rmsprop", "lr", lr);
        OptimizerConfig.requireUnit("rmsprop", "alpha", alpha);
        OptimizerConfig.requireNonNegative("rmsprop", "eps", eps);
        OptimizerConfig.requireNonNegative("rmsprop", "weight_decay", weightDecay);
        OptimizerConfig.requireNonNegative("rmsprop", "momentum", momentum);
    }

    public static RmsProp defaults(double lr) {
        return new RmsProp(lr, 0.99, 1e-8, 0, 0, false);
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    public List<String> stateNames() {
        List<String> names = new ArrayList<>(List.of("square_avg"));
        if (momentum > 0) {
            names.add("momentum_buffer");
        }
        if (centered) {
            names.add("grad_avg");
        }
        return names;
    }

    @Override
    public void update(float[] param, float[] grad, float[][] state, long step, double lr, int from, int to) {
        float[] sq = state[0];
        float[] buf = momentum > 0 ? state[1] : null;
        float[] gavg = centered ? state[momentum > 0 ? 2 : 1] : null;
        for (int i = from; i < to; i++) {
            double g = grad[i] + weightDecay * param[i];
            double s = alpha * sq[i] + (1 - alpha) * g * g;
            sq[i] = (float) s;
            double var = s;
            if (gavg != null) {
                double ga = alpha * gavg[i] + (1 - alpha) * g;
                gavg[i] = (float) ga;
                var = s - ga * ga;
            }
            double avg = Math.sqrt(var) + eps;
            if (buf != null) {
                double b = momentum * buf[i] + g / avg;
                buf[i] = (float) b;
                param[i] = (float) (param[i] - lr * b);
            } else {
                param[i] = (float) (param[i] - lr * g / avg);
            }
        }
    }
}
