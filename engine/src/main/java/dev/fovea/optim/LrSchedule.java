package dev.fovea.optim;

/** Learning rate as a function of the epoch (0-based), as PyTorch's StepLR and CosineAnnealingLR. */
public sealed interface LrSchedule {

    double lr(double base, int epoch);

    /** The base rate throughout. */
    record Constant() implements LrSchedule {
        @Override
        public double lr(double base, int epoch) {
            return base;
        }
    }

    /** base * gamma^floor(epoch / stepSize). */
    record Step(int stepSize, double gamma) implements LrSchedule {
        public Step {
            if (stepSize < 1) {
                throw new IllegalArgumentException("step schedule: step_size must be >= 1, got " + stepSize);
            }
        }

        @Override
        public double lr(double base, int epoch) {
            return base * Math.pow(gamma, epoch / stepSize);
        }
    }

    /** etaMin + (base - etaMin)(1 + cos(pi * epoch / tMax)) / 2, held at etaMin after tMax. */
    record Cosine(int tMax, double etaMin) implements LrSchedule {
        public Cosine {
            if (tMax < 1) {
                throw new IllegalArgumentException("cosine schedule: t_max must be >= 1, got " + tMax);
            }
        }

        @Override
        public double lr(double base, int epoch) {
            int e = Math.min(epoch, tMax);
            return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2;
        }
    }
}
