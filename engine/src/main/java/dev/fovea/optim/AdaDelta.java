package dev.fovea.optim;

import java.util.List;

/** AdaDelta (PyTorch's torch.optim.Adadelta): step sizes from running averages of squared gradients and updates. */
public record AdaDelta(double lr, double rho, double eps, double weightDecay) implements OptimizerConfig {

    public AdaDelta {
        OptimizerConfig.requireNonNegative("adadelta", "lr", lr);
        OptimizerConfig.requireUnit("adadelta", "rho", rho);
        OptimizerConfig.requireNonNegative("adadelta", "eps", eps);
        OptimizerConfig.requireNonNegative("adadelta", "weight_decay", weightDecay);
    }

    public static AdaDelta defaults(double lr) {
        return new AdaDelta(lr, 0.9, 1e-6, 0);
    }

    @Override
    public String name() {
        return "adadelta";
    }

    @Override
    public List<String> stateNames() {
        return List.of("square_avg", "acc_delta");
    }

    @Override
    public void update(float[] param, float[] grad, float[][] state, long step, double lr, int from, int to) {
        float[] sq = state[0];
        float[] acc = state[1];
        for (int i = from; i < to; i++) {
            double g = grad[i] + weightDecay * param[i];
            double s = rho * sq[i] + (1 - rho) * g * g;
            double delta = Math.sqrt(acc[i] + eps) / Math.sqrt(s + eps) * g;
            sq[i] = (float) s;
            acc[i] = (float) (rho * acc[i] + (1 - rho) * delta * delta);
            param[i] = (float) (param[i] - lr * delta);
        }
    }
}
