package dev.fovea.cli;

import dev.fovea.train.InferenceModel;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** How the inference commands (eval, predict, visualize) find a model's weights (a Picocli mixin). */
public final class WeightsOptions {

    @Option(names = "--model", paramLabel = "MODEL",
            description = "For bare weights (a .safetensors without sidecar, e.g. saved from PyTorch): the zoo model or "
                    + "model file they belong to (default: none; a checkpoint names its model).")
    String model;

    @Option(names = "--normalize", paramLabel = "MEAN,STD",
            description = "For bare weights: the normalisation the model was trained with (default: a sidecar's beside "
                    + "the weights, else none; a checkpoint records its own).")
    String normalize;

    /**
     * The checkpoint (or bare weights with --model), on the host; notes about assumptions, and a
     * warning naming each tensor that holds NaN or infinite values, go to {@code err}.
     */
    InferenceModel read(Path checkpoint, PrintWriter err) throws IOException {
        if (normalize != null) {
            dev.fovea.data.Normalization.parse(normalize);
        }
        return InferenceModel.read(checkpoint, model, normalize, line -> {
            err.println("fovea: " + line);
            err.flush();
        });
    }
}
