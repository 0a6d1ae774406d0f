package dev.fovea.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies an {@link OptimizerConfig} to named host parameters, keeping each parameter's state
 * buffers and step count (PyTorch keeps the step per parameter too) and the schedule's epoch.
 */
public final class Optimizer {
    private final OptimizerConfig config;
    private final LrSchedule schedule;
    private final Map<String, float[][]> state = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private int epoch;

    public Optimizer(OptimizerConfig config, LrSchedule schedule) {
        this.config = config;
        this.schedule = schedule;
    }

    public Optimizer(OptimizerConfig config) {
        this(config, new LrSchedule.Constant());
    }

    public OptimizerConfig config() {
        return config;
    }

    /** The learning rate the next step uses. */
    public double currentLr() {
        return schedule.lr(config.lr(), epoch);
    }

    /** Moves the schedule to {@code epoch} (0-based); called by the trainer at each epoch start. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** Updates {@code param} in place from {@code grad}; the state of {@code name} is created on first use. */
    public void step(String name, float[] param, float[] grad) {
        if (param.length != grad.length) {
            throw new IllegalArgumentException(config.name() + ": parameter '" + name + "' has " + param.length
                    + " values but its gradient has " + grad.length);
        }
        float[][] buffers = state.computeIfAbsent(name, k -> newState(param.length));
        if (buffers.length > 0 && buffers[0].length != param.length) {
            throw new IllegalArgumentException(config.name() + ": parameter '" + name + "' changed size from "
                    + buffers[0].length + " to " + param.length);
        }
        long step = steps.merge(name, 1L, Long::sum);
        config.update(param, grad, buffers, step, currentLr(), 0, param.length);
    }

    /** The state buffers of one parameter by PyTorch name (for checkpoints); empty before its first step. */
    public Map<String, float[]> state(String name) {
        Map<String, float[]> out = new LinkedHashMap<>();
        float[][] buffers = state.get(name);
        if (buffers != null) {
            List<String> names = config.stateNames();
            for (int i = 0; i < names.size(); i++) {
                out.put(names.get(i), buffers[i]);
            }
        }
        return out;
    }

    public long steps(String name) {
        return steps.getOrDefault(name, 0L);
    }

    /** Restores a parameter's state from a checkpoint. */
    public void restore(String name, long step, Map<String, float[]> buffers) {
        List<String> names = config.stateNames();
        float[][] restored = new float[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            float[] b = buffers.get(names.get(i));
            if (b == null) {
                throw new IllegalArgumentException(config.name() + ": checkpoint state of '" + name
                        + "' lacks buffer '" + names.get(i) + "'");
            }
            restored[i] = b.clone();
        }
        state.put(name, restored);
        steps.put(name, step);
    }

    private float[][] newState(int n) {
        float[][] buffers = new float[config.stateNames().size()][];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = new float[n];
        }
        return buffers;
    }
}
