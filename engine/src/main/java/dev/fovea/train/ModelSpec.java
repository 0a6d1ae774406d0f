package dev.fovea.train;

import dev.fovea.graph.Graph;
import dev.fovea.nn.ModelFile;
import dev.fovea.nn.Zoo;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a checkpoint records to rebuild its model: a zoo name, or the full text of a model file (so
 * the checkpoint does not depend on the file still existing).
 */
public record ModelSpec(String zoo, String modelFileJson) {

    public ModelSpec {
        if ((zoo == null) == (modelFileJson == null)) {
            throw new IllegalArgumentException("a model spec names a zoo model or holds a model file, not both");
        }
    }

    /** A zoo name, or a path to a model file (anything ending in .json or naming an existing file). */
    public static ModelSpec parse(String model) {
        if (Zoo.exists(model)) {
            return new ModelSpec(model, null);
        }
        Path p = Path.of(model);
        // Any existing file, not only a regular one: ModelFile refuses a FIFO or device by name instead of blocking.
        if (Files.exists(p) && !Files.isDirectory(p)) {
            try {
                return new ModelSpec(null, ModelFile.readText(p));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--model " + model + ": cannot read: " + e.getMessage(), e);
            }
        }
        // Zoo.get's message lists the zoo and mentions model files.
        Zoo.get(model);
        throw new AssertionError("unreachable");
    }

    public Graph graph() {
        return zoo != null ? Zoo.get(zoo) : ModelFile.parse(modelFileJson, "model file in checkpoint");
    }

    public String describe() {
        return zoo != null ? zoo : "model file";
    }
}
