package dev.fovea.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.graph.ClassifierHead;
import dev.fovea.graph.Graph;
import dev.fovea.nn.ModelFile;
import dev.fovea.nn.ModelFileWriter;
import dev.fovea.onnx.OnnxImport;
import dev.fovea.nn.Zoo;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a checkpoint records to rebuild its model: a zoo name, or the full text of a model file (so
 * the checkpoint does not depend on the file still existing), and the number of classes when the
 * classifier head was replaced ({@code --num-classes}; 0 keeps the architecture's own head).
 */
public record ModelSpec(String zoo, String modelFileJson, int numClasses) {

    public ModelSpec {
        if ((zoo == null) == (modelFileJson == null)) {
            throw new IllegalArgumentException("a model spec names a zoo model or holds a model file, not both");
        }
        if (numClasses < 0 || numClasses == 1) {
            throw new IllegalArgumentException("number of classes must be at least 2, got " + numClasses);
        }
    }

    /** The architecture as defined, with its own classifier head. */
    public ModelSpec(String zoo, String modelFileJson) {
        this(zoo, modelFileJson, 0);
    }

    /**
     * A zoo name, an ONNX file (.onnx, imported for its architecture), or a path to a model file (anything
     * naming an existing file). A model file is
     * parsed here, so that its errors name the file.
     */
    public static ModelSpec parse(String model) {
        if (Zoo.exists(model)) {
            return new ModelSpec(model, null);
        }
        Path p = Path.of(model);
        if (model.endsWith(".onnx")) {
            // The architecture of an ONNX model, as the model file it imports to (its weights are not used here).
            try {
                return new ModelSpec(null, OnnxImport.read(p).modelJson());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--model " + model + ": cannot read: " + e.getMessage(), e);
            }
        }
        // Any existing file, not only a regular one: ModelFile refuses a FIFO or device by name instead of blocking.
        if (Files.exists(p) && !Files.isDirectory(p)) {
            String text;
            try {
                text = ModelFile.readText(p);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--model " + model + ": cannot read: " + e.getMessage(), e);
            }
            ModelFile.parse(text, p.toString());
            return new ModelSpec(null, text);
        }
        if (Files.isDirectory(p)) {
            throw new IllegalArgumentException("--model " + model + ": is a directory; expected a zoo name or a model file");
        }
        // Zoo.get's message lists the zoo and mentions model files.
        Zoo.get(model);
        throw new AssertionError("unreachable");
    }

    /**
     * Any graph, such as one built with {@code GraphBuilder}, recorded as the model file it writes
     * to (so a checkpoint of it rebuilds it without the code that built it).
     */
    public static ModelSpec of(Graph g) {
        return new ModelSpec(null, ModelFileWriter.write(g));
    }

    /** The same architecture with a new classifier head of {@code classes} outputs (0: its own head). */
    public ModelSpec withNumClasses(int classes) {
        return new ModelSpec(zoo, modelFileJson, classes);
    }

    public Graph graph() {
        Graph g = zoo != null ? Zoo.get(zoo) : ModelFile.parse(modelFileJson, "model file in checkpoint");
        return numClasses == 0 ? g : ClassifierHead.resize(g, numClasses);
    }

    public String describe() {
        String base = zoo != null ? zoo : "model file '" + ModelFile.name(modelFileJson) + "'";
        return numClasses == 0 ? base : base + " (" + numClasses + "-class head)";
    }

    /** Same architecture and head: the same zoo name, or model files with equal JSON (formatting aside). */
    public boolean sameAs(ModelSpec o) {
        if (numClasses != o.numClasses || (zoo == null) != (o.zoo == null)) {
            return false;
        }
        if (zoo != null) {
            return zoo.equals(o.zoo);
        }
        ObjectMapper json = new ObjectMapper();
        try {
            return json.readTree(modelFileJson).equals(json.readTree(o.modelFileJson));
        } catch (JsonProcessingException e) {
            return modelFileJson.equals(o.modelFileJson);
        }
    }
}
