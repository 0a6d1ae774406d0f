package dev.fovea.optim;

import java.util.List;

/**
 * An optimiser's hyper-parameters and its per-element update rule, written exactly as PyTorch's
 * torch.optim documents it so that runs and optimiser state move between the two. The state
 * buffers carry PyTorch's names (momentum_buffer, exp_avg, ...) for the checkpoint sidecar.
 */
public sealed interface OptimizerConfig
        permits Sgd, AdaGrad, AdaDelta, RmsProp, Adam {

    /** Name on the command line and in checkpoints: sgd, adagrad, adadelta, rmsprop, adam, adamw. */
    String name();

    /** Base learning rate, before any schedule. */
    double lr();

    /** Names of the per-element state buffers, each as long as the parameter. */
    List<String> stateNames();

    /**
     * Updates {@code param} in place from {@code grad} over elements [from, to).
     *
     * @param state one buffer per {@link #stateNames()} entry, zero before the first step
     * @param step  1 for the first update of this parameter, then 2, 3, ...
     * @param lr    the learning rate for this step (the schedule's value)
     */
    void update(float[] param, float[] grad, float[][] state, long step, double lr, int from, int to);

    static void requireNonNegative(String optimizer, String field, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(optimizer + ": " + field + " must be >= 0, got " + value);
        }
    }

    static void requireUnit(String optimizer, String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(optimizer + ": " + field + " must be in [0, 1), got " + value);
        }
    }
}
