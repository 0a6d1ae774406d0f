package dev.fovea.optim;

import java.util.List;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay (PyTorch's
 * torch.optim.SGD). With momentum = dampening = a, every step after the first is the damped form of
 * the course material: W(t+1) = W(t) + a (W(t) - W(t-1)) + (1 - a)(-lr grad); the first step, like
 * PyTorch's, starts the buffer at the undamped gradient.
 */
public record Sgd(double lr, double momentum, double dampening, boolean nesterov, double weightDecay)
        implements OptimizerConfig {

    public Sgd {
        OptimizerConfig.requireNonNegative("sgd", "lr", lr);
        OptimizerConfig.requireNonNegative("sgd", "momentum", momentum);
        OptimizerConfig.requireNonNegative("sgd", "dampening", dampening);
        OptimizerConfig.requireNonNegative("sgd", "weight_decay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("sgd: nesterov needs momentum > 0 and dampening 0 (as in PyTorch)");
        }
    }

    public static Sgd plain(double lr) {
        return new Sgd(lr, 0, 0, false, 0);
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public List<String> stateNames() {
        return momentum == 0 ? List.of() : List.of("momentum_buffer");
    }

    @Override
    public void update(float[] param, float[] grad, float[][] state, long step, double lr, int from, int to) {
        float[] buf = momentum == 0 ? null : state[0];
        for (int i = from; i < to; i++) {
            double g = grad[i] + weightDecay * param[i];
            if (buf != null) {
                double b = step == 1 ? g : momentum * buf[i] + (1 - dampening) * g;
                buf[i] = (float) b;
                g = nesterov ? g + momentum * b : b;
            }
            param[i] = (float) (param[i] - lr * g);
        }
    }
}
