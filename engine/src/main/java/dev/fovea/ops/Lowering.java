package dev.fovea.ops;

import dev.fovea.backend.Backend;
import dev.fovea.tensor.Tensor;

import java.util.Map;
import java.util.Set;

/**
 * What an op does once its attributes are parsed, its lowering: the forward and backward mapping onto
 * {@link Backend} calls, closed over the parameter record ({@link #params()}) that the attributes were
 * parsed into. ("Kernel" is kept for device and SIMD code: KernelRef, GemmKernel.)
 */
public interface Lowering {

    /** The parsed attributes (Conv2dParams, Pool2dParams, ...), or null for an op without any. */
    Object params();

    /** Runs the op; the map holds the public outputs and any state saved for the backward pass. */
    Map<String, Tensor> forward(Backend backend, Inputs inputs);

    /**
     * Gradients, keyed by input name, of the inputs in {@code wanted}, given the forward
     * {@code outputs} and the gradient of the op's "output".
     */
    Map<String, Tensor> backward(Backend backend, Inputs inputs, Map<String, Tensor> outputs, Tensor gradOutput,
                                 Set<String> wanted);

    @FunctionalInterface
    interface Forward {
        Map<String, Tensor> apply(Backend backend, Inputs inputs);
    }

    @FunctionalInterface
    interface Backward {
        Map<String, Tensor> apply(Backend backend, Inputs inputs, Map<String, Tensor> outputs, Tensor gradOutput,
                                  Set<String> wanted);
    }

    static Lowering of(Object params, Forward forward, Backward backward) {
        return new Lowering() {
            @Override
            public Object params() {
                return params;
            }

            @Override
            public Map<String, Tensor> forward(Backend backend, Inputs inputs) {
                return forward.apply(backend, inputs);
            }

            @Override
            public Map<String, Tensor> backward(Backend backend, Inputs inputs, Map<String, Tensor> outputs,
                                                Tensor gradOutput, Set<String> wanted) {
                return backward.apply(backend, inputs, outputs, gradOutput, wanted);
            }
        };
    }
}
