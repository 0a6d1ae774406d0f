package dev.fovea.optim;

import java.util.List;

/** AdaGrad (PyTorch's torch.optim.Adagrad): per-element rates from the running sum of squared gradients. */
public record AdaGrad(double lr, double lrDecay, double weightDecay, double eps) implements OptimizerConfig {

    public AdaGrad {
        OptimizerConfig.requireNonNegative("adagrad", "lr", lr);
        OptimizerConfig.requireNonNegative("adagrad", "lr_decay", lrDecay);
        OptimizerConfig.requireNonNegative("adagrad", "weight_decay", weightDecay);
        OptimizerConfig.requireNonNegative("adagrad", "eps", eps);
    }

    public static AdaGrad defaults(double lr) {
        return new AdaGrad(lr, 0, 0, 1e-10);
    }

    @Override
    public String name() {
        return "adagrad";
    }

    @Override
    public List<String> stateNames() {
        return List.of("sum");
    }

    @Override
    public void update(float[] param, float[] grad, float[][] state, long step, double lr, int from, int to) {
        float[] sum = state[0];
        double clr = lr / (1 + (step - 1) * lrDecay);
        for (int i = from; i < to; i++) {
            double g = grad[i] + weightDecay * param[i];
            double s = sum[i] + g * g;
            sum[i] = (float) s;
            param[i] = (float) (param[i] - clr * g / (Math.sqrt(s) + eps));
        }
    }
}
