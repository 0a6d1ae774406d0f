package dev.fovea.api;

import dev.fovea.optim.OptimizerConfig;
import dev.fovea.train.OptimizerSettings;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * How {@link Model#fit} trains, built with {@link #builder()}; what is not set takes the command
 * line's default: 4 epochs, batch 64, SGD (learning rate 0.05, momentum 0.9) with a cosine schedule
 * over the epochs, seed 1, every layer trained, on the model's device. Checkpoints, {@code
 * history.csv} and the loss and accuracy charts go to {@link Builder#checkpointDir} when one is given
 * (as {@code fovea train --out} writes them), else to a temporary directory removed afterwards.
 */
public final class FitOptions {
    private final int epochs;
    private final int batchSize;
    private final OptimizerConfig optimizer;
    private final long seed;
    private final Device device;
    private final Consumer<Epoch> progress;
    private final Path checkpointDir;
    private final List<String> freeze;

    private FitOptions(Builder b) {
        epochs = b.epochs;
        batchSize = b.batchSize;
        optimizer = OptimizerSettings.of(b.optimizer, b.learningRate, b.momentum, false, b.weightDecay);
        seed = b.seed;
        device = b.device;
        progress = b.progress;
        checkpointDir = b.checkpointDir;
        freeze = List.copyOf(b.freeze);
    }

    /** {@return a builder with every default} */
    public static Builder builder() {
        return new Builder();
    }

    int epochs() {
        return epochs;
    }

    int batchSize() {
        return batchSize;
    }

    OptimizerConfig optimizer() {
        return optimizer;
    }

    long seed() {
        return seed;
    }

    /** The device to train on, or null for the model's. */
    Device device() {
        return device;
    }

    Consumer<Epoch> progress() {
        return progress;
    }

    /** Where to keep the run's files, or null for a temporary directory. */
    Path checkpointDir() {
        return checkpointDir;
    }

    List<String> freeze() {
        return freeze;
    }

    /** Sets the options one by one; {@link #build} checks them together. */
    public static final class Builder {
        private int epochs = 4;
        private int batchSize = 64;
        private String optimizer = "sgd";
        private Double learningRate;
        private Double momentum;
        private Double weightDecay;
        private long seed = 1;
        private Device device;
        private Consumer<Epoch> progress = e -> { };
        private Path checkpointDir;
        private List<String> freeze = List.of();

        private Builder() {
        }

        /**
         * Passes over the training split.
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder epochs(int n) {
            epochs = atLeastOne("epochs", n);
            return this;
        }

        /**
         * Images per optimisation step.
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder batchSize(int n) {
            batchSize = atLeastOne("batchSize", n);
            return this;
        }

        /**
         * The optimiser, {@code sgd}, {@code adagrad}, {@code adadelta}, {@code rmsprop}, {@code adam}
         * or {@code adamw}, and its learning rate (PyTorch's update rules and defaults).
         *
         * @param name         the optimiser
         * @param learningRate a finite number above 0
         * @return this builder
         */
        public Builder optimizer(String name, double learningRate) {
            optimizer(name);
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learning rate " + learningRate + ": must be a finite number > 0");
            }
            this.learningRate = learningRate;
            return this;
        }

        /**
         * The optimiser with its default learning rate (Adam's 0.001, SGD's 0.05, ...).
         *
         * @param name the optimiser, as for {@link #optimizer(String, double)}
         * @return this builder
         */
        public Builder optimizer(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            if (!OptimizerSettings.NAMES.contains(n)) {
                throw new IllegalArgumentException("optimizer '" + name + "': expected one of "
                        + String.join(", ", OptimizerSettings.NAMES));
            }
            optimizer = n;
            learningRate = null;
            return this;
        }

        /**
         * Momentum of SGD and RMSProp (defaults: SGD 0.9, RMSProp 0).
         *
         * @param m in [0, 1)
         * @return this builder
         */
        public Builder momentum(double m) {
            if (!(m >= 0 && m < 1)) {
                throw new IllegalArgumentException("momentum " + m + ": must be in [0, 1)");
            }
            momentum = m;
            return this;
        }

        /**
         * L2 penalty (default 0).
         *
         * @param l2 a finite number, 0 or more
         * @return this builder
         */
        public Builder weightDecay(double l2) {
            if (!(l2 >= 0) || Double.isInfinite(l2)) {
                throw new IllegalArgumentException("weight decay " + l2 + ": must be a finite number >= 0");
            }
            weightDecay = l2;
            return this;
        }

        /**
         * Seeds the sample order and dropout (default 1).
         *
         * @param s the seed
         * @return this builder
         */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /**
         * Where to train (default: the model's device); the model stays there afterwards.
         *
         * @param d the device
         * @return this builder
         */
        public Builder device(Device d) {
            device = d;
            return this;
        }

        /**
         * What to call after each epoch, once its checkpoint is written.
         *
         * @param listener receives the epoch's results
         * @return this builder
         */
        public Builder progress(Consumer<Epoch> listener) {
            progress = listener;
            return this;
        }

        /**
         * Keeps the run's checkpoints ({@code epoch-001.json}, ...), history and charts in {@code dir}
         * (created if missing), each loadable with {@link Model#load(Path)}.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder checkpointDir(Path dir) {
            checkpointDir = dir;
            return this;
        }

        /**
         * Layers or modules that stay as they are (names or name prefixes such as {@code conv1},
         * {@code layer1}); their batch norms keep their running statistics.
         *
         * @param prefixes the names
         * @return this builder
         */
        public Builder freeze(String... prefixes) {
            freeze = List.of(prefixes);
            return this;
        }

        /** {@return the options; a setting the optimiser lacks (Adam's momentum) is refused here} */
        public FitOptions build() {
            return new FitOptions(this);
        }

        private static int atLeastOne(String what, int n) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " " + n + ": must be at least 1");
            }
            return n;
        }
    }
}
