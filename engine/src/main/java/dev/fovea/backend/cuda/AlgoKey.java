package dev.fovea.backend.cuda;

import dev.fovea.primitives.Conv2dParams;
import dev.fovea.tensor.Shape;

/**
 * What a cuDNN convolution algorithm choice depends on: the pass, the shapes, the parameters and
 * the determinism and math switches. Two calls with equal keys reuse one choice (and its
 * workspace size) for the life of the backend.
 */
public record AlgoKey(ConvPass pass, Shape input, Shape weight, Conv2dParams params, boolean deterministic,
                      boolean tensorCores) {

    /** The three convolution passes; each has its own algorithm family in cuDNN. */
    public enum ConvPass {
        FORWARD("conv2d forward"), BACKWARD_DATA("conv2d backward-data"), BACKWARD_FILTER("conv2d backward-filter");

        private final String label;

        ConvPass(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    @Override
    public String toString() {
        return pass.label() + " input " + input + " weight " + weight + " " + params
                + (deterministic ? " deterministic" : "") + (tensorCores ? " tensor-cores" : "");
    }
}
