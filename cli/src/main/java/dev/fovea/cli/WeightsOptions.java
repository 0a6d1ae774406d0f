package dev.fovea.cli;

import dev.fovea.backend.Backend;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;

/** How the inference commands (eval, predict, visualize) find a model's weights (a Picocli mixin). */
public final class WeightsOptions {

    @Option(names = "--model", paramLabel = "MODEL",
            description = "For a bare .safetensors of weights (e.g. saved from PyTorch): the zoo model or model file it belongs to.")
    String model;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /**
     * The checkpoint (or bare weights with --model), batch norm folded, on {@code backend}; a warning
     * on stderr names each tensor holding NaN or infinite values.
     */
    LoadedModel load(Path checkpoint, Backend backend) throws IOException {
        return LoadedModel.load(checkpoint, backend, model, command.commandLine().getErr());
    }
}
