package dev.fovea.train;

import dev.fovea.backend.Backend;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies an {@link OptimizerConfig} to named parameters on a backend, keeping each parameter's
 * state buffers on the same device (so an update never leaves it) and its step count (PyTorch
 * counts steps per parameter too), plus the schedule's epoch.
 */
public final class Optimizer implements AutoCloseable {
    private final OptimizerConfig config;
    private final LrSchedule schedule;
    private final Backend backend;
    private final Map<String, List<Tensor>> state = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private int epoch;

    public Optimizer(OptimizerConfig config, LrSchedule schedule, Backend backend) {
        this.config = config;
        this.schedule = schedule;
        this.backend = backend;
    }

    public Optimizer(OptimizerConfig config, Backend backend) {
        this(config, new LrSchedule.Constant(), backend);
    }

    public OptimizerConfig config() {
        return config;
    }

    public LrSchedule schedule() {
        return schedule;
    }

    /** The learning rate the next step uses. */
    public double currentLr() {
        return schedule.lr(config.lr(), epoch);
    }

    /** Moves the schedule to {@code epoch} (0-based); the trainer calls it at each epoch start. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** Updates {@code param} in place from {@code grad}; the state of {@code name} is created on first use. */
    public void step(String name, Tensor param, Tensor grad) {
        if (!param.shape().equals(grad.shape())) {
            throw new IllegalArgumentException(config.name() + ": parameter '" + name + "' is " + param.shape()
                    + " but its gradient is " + grad.shape());
        }
        List<Tensor> buffers = state.computeIfAbsent(name, k -> newState(param));
        if (!buffers.isEmpty() && !buffers.get(0).shape().equals(param.shape())) {
            throw new IllegalArgumentException(config.name() + ": parameter '" + name + "' changed shape from "
                    + buffers.get(0).shape() + " to " + param.shape());
        }
        long step = steps.merge(name, 1L, Long::sum);
        backend.optimizerUpdate(config, param, grad, buffers, step, currentLr());
    }

    /** A parameter's state buffers by PyTorch name, copied to the host (for checkpoints); empty before its first step. */
    public Map<String, float[]> state(String name) {
        Map<String, float[]> out = new LinkedHashMap<>();
        List<Tensor> buffers = state.get(name);
        if (buffers != null) {
            List<String> names = config.stateNames();
            for (int i = 0; i < names.size(); i++) {
                out.put(names.get(i), backend.download(buffers.get(i)));
            }
        }
        return out;
    }

    /** Names of the parameters that have state, in the order they were first stepped. */
    public List<String> parameters() {
        return List.copyOf(steps.keySet());
    }

    public long steps(String name) {
        return steps.getOrDefault(name, 0L);
    }

    /** Restores the state of parameter {@code name} (of {@code shape}) from a checkpoint. */
    public void restore(String name, dev.fovea.tensor.Shape shape, long step, Map<String, float[]> buffers) {
        List<Tensor> restored = new ArrayList<>();
        for (String n : config.stateNames()) {
            float[] b = buffers.get(n);
            if (b == null || b.length != shape.size()) {
                throw new IllegalArgumentException(config.name() + ": checkpoint state of '" + name + "' "
                        + (b == null ? "lacks buffer '" + n + "'" : "has " + b.length + " values in '" + n
                        + "', the parameter has " + shape.size()));
            }
            restored.add(backend.upload(shape, b));
        }
        List<Tensor> old = state.put(name, restored);
        if (old != null) {
            old.forEach(Tensor::close);
        }
        steps.put(name, step);
    }

    private List<Tensor> newState(Tensor param) {
        List<Tensor> buffers = new ArrayList<>();
        for (int i = 0; i < config.stateNames().size(); i++) {
            buffers.add(backend.zeros(param.shape()));
        }
        return buffers;
    }

    @Override
    public void close() {
        state.values().forEach(l -> l.forEach(Tensor::close));
        state.clear();
    }
}
