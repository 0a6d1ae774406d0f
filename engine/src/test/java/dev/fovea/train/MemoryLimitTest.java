package dev.fovea.train;

import dev.fovea.graph.Graph;
import dev.fovea.graph.MemoryPlan;
import dev.fovea.nn.Zoo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The host-memory check the trainer runs before the first batch, with the heap size injected: the
 * threshold follows the executor's memory plan (activations, parameters, gradients, optimiser
 * state). tests/ResourceLimitTest runs the same refusal through `fovea train` in a JVM with a small -Xmx.
 */
class MemoryLimitTest {

    @Test
    void aBatchThatDoesNotFitTheHeapIsRefusedWithTheNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.checkMemory(Zoo.get("resnet18-cifar"), 512, 1, 1L << 30));
        assertEquals(true, e.getMessage().matches("model 'resnet18-cifar' with --batch-size 512 needs about \\d+\\.\\d GiB "
                + "for training \\(activations \\d+\\.\\d GiB, parameters and optimiser state 0\\.1 GiB\\) but the JVM may "
                + "use 1\\.0 GiB: lower --batch-size or raise -Xmx \\(FOVEA_JAVA_OPTS\\)"), e.getMessage());
    }

    /** A model file can declare gigabytes of activations with a few weights: inference is refused before it allocates them. */
    @Test
    void inferenceThatDoesNotFitTheHeapIsRefusedWithTheNumbers() {
        Graph wide = dev.fovea.nn.ModelFile.parse("{\"format\": \"fovea-model/1\", \"name\": \"wide\", \"input\": [1, 4096, "
                + "4096], \"layers\": [{\"name\": \"c\", \"type\": \"conv2d\", \"out_channels\": 64, \"kernel_size\": 1}]}",
                "wide.json");
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> Trainer.checkInferenceMemory(wide, 1, 1L << 30));
        assertEquals("model 'wide' needs about 4.1 GiB to run 1 image (activations 4.1 GiB, parameters 0.0 GiB) but the JVM "
                + "may use 1.0 GiB: raise -Xmx (FOVEA_JAVA_OPTS)", one.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> Trainer.checkInferenceMemory(Zoo.get("mnist-cnn"), 4096, 1L << 30));
        assertEquals(true, batch.getMessage().matches("model 'mnist-cnn' needs about \\d+\\.\\d GiB to run 4096 images at a "
                + "time \\(activations \\d+\\.\\d GiB, parameters 0\\.0 GiB\\) but the JVM may use 1\\.0 GiB: lower "
                + "--batch-size or raise -Xmx \\(FOVEA_JAVA_OPTS\\)"), batch.getMessage());
        assertDoesNotThrow(() -> Trainer.checkInferenceMemory(Zoo.get("mnist-cnn"), 256, 1L << 30));
    }

    @Test
    void theThresholdIsThePlanPlusParametersAndOptimiserStateWithinNinetyPercentOfTheHeap() {
        Graph g = Zoo.get("mnist-cnn");
        MemoryPlan plan = MemoryPlan.of(g, 64);
        long need = plan.trainingBytes() + plan.parameterBytes() * (1 + 2); // Adam: two buffers per parameter
        long fits = (long) Math.ceil(need / 0.9) + 16;
        assertDoesNotThrow(() -> Trainer.checkMemory(g, 64, 2, fits));
        assertThrows(IllegalArgumentException.class, () -> Trainer.checkMemory(g, 64, 2, (long) (need / 0.9) - 16));
        assertThrows(IllegalArgumentException.class, () -> Trainer.checkMemory(g, 64, 3, fits),
                "one more optimiser buffer per parameter tips it over");
    }
}
