package dev.fovea.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.backend.Backend;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.graph.Graph;
import dev.fovea.onnx.OnnxImport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A model for inference, read on the host before any device is opened: the graph, its weights, and
 * what the training run recorded about its inputs (normalisation, class names, the data set and the
 * images' background). Needs only the checkpoint's sidecar and weights, not its optimiser state.
 *
 * @param spec       the architecture, as a checkpoint records it (an ONNX model's as the model file it imports to)
 * @param classes    the class names, or null when nothing recorded them (bare weights)
 * @param background per channel, the training images' border colour in [0,1], or null when unknown
 * @param data       the --data the model was trained on, or null when unknown
 */
public record InferenceModel(Path source, ModelSpec spec, Graph graph, Map<String, float[]> weights,
                             Normalization normalization, List<String> classes, float[] background, String data) {

    /**
     * Reads the checkpoint {@code arg} names (a sidecar, its weights, or a run directory), or bare
     * weights when {@code model} is given. Bare weights take normalisation and class names from a
     * sidecar beside them when there is one; otherwise {@code normalize} (or none) applies, and a
     * note to {@code notes} says what is assumed. {@code model} and {@code normalize} are the
     * command line's --model and --normalize, or null.
     *
     * @param notes receives one line per note ("note: ...") or warning ("warning: ...")
     */
    public static InferenceModel read(Path arg, String model, String normalize, Consumer<String> notes)
            throws IOException {
        if (arg.getFileName() != null && arg.getFileName().toString().endsWith(".onnx")) {
            return onnx(arg, model, normalize, notes);
        }
        CheckpointArgs.Resolved r = CheckpointArgs.resolve(arg, "CHECKPOINT", model != null);
        if (!r.bare()) {
            Checkpoint c = Checkpoint.readForInference(r.path());
            if (model != null && !ModelSpec.parse(model).withNumClasses(c.model().numClasses()).sameAs(c.model())) {
                throw new IllegalArgumentException("--model " + model + ": " + r.path() + " is a checkpoint of "
                        + c.model().describe() + "; --model is for bare weights (a .safetensors without sidecar)");
            }
            if (normalize != null && !Normalization.parse(normalize).equals(c.normalization())) {
                throw new IllegalArgumentException("--normalize " + normalize + ": " + r.path() + " records the "
                        + "normalisation it was trained with (" + describe(c.normalization()) + "), which is applied");
            }
            Graph g = c.model().graph();
            List<String> classes = c.classes();
            int outputs = g.outputShape().dim(-1);
            if (classes.size() != outputs) {
                throw new IllegalArgumentException(r.path() + ": the model has " + outputs + " outputs but its run recorded "
                        + classes.size() + " classes; it cannot name its predictions (retrain or fine-tune it with "
                        + "--init-from " + r.path() + " --num-classes " + classes.size() + ")");
            }
            Map<String, float[]> w = c.weightsFor(g, r.path().toString());
            warnNonFinite(w, r.path(), notes);
            return new InferenceModel(r.path(), c.model(), g, w, c.normalization(), classes, background(c.run()),
                    recordedData(c.run()));
        }
        ModelSpec spec = ModelSpec.parse(model);
        Graph g = spec.graph();
        Map<String, float[]> w = Checkpoint.importWeights(r.path(), g);
        warnNonFinite(w, r.path(), notes);
        Path side = Checkpoint.sidecarBeside(r.path());
        Normalization norm = normalize == null ? null : Normalization.parse(normalize);
        if (Files.isRegularFile(side)) {
            // Bare weights beside a sidecar (e.g. an exported copy): what the run recorded still applies.
            Checkpoint c = Checkpoint.readSidecar(side);
            return new InferenceModel(r.path(), spec, g, w, norm != null ? norm : c.normalization(),
                    c.classes().size() == outputs(g) ? c.classes() : null, background(c.run()), recordedData(c.run()));
        }
        notes.accept("note: " + r.path() + " has no sidecar: "
                + (norm == null ? "no normalisation is applied (give --normalize MEAN,STD if the model was trained with one)"
                : "inputs are normalised with " + describe(norm)) + ", classes are numbered 0.." + (outputs(g) - 1)
                + " and transparent pixels become black");
        return new InferenceModel(r.path(), spec, g, w, norm, null, null, null);
    }

    /** An ONNX model in the checkpoint's place: its own architecture and weights, nothing recorded about its inputs. */
    private static InferenceModel onnx(Path arg, String model, String normalize, Consumer<String> notes) throws IOException {
        if (model != null) {
            throw new IllegalArgumentException("--model " + model + ": " + arg + " is an ONNX model, which holds its "
                    + "architecture and its weights; give it alone (or import it and give its weights with --model)");
        }
        OnnxImport.Result r = OnnxImport.read(arg);
        Map<String, float[]> w = r.arrays();
        warnNonFinite(w, arg, notes);
        Normalization norm = normalize == null ? null : Normalization.parse(normalize);
        notes.accept("note: " + arg + " is an ONNX model: "
                + (norm == null ? "no normalisation is applied (give --normalize MEAN,STD if the model expects one)"
                : "inputs are normalised with " + describe(norm)) + ", classes are numbered 0.." + (outputs(r.graph()) - 1)
                + " and transparent pixels become black");
        return new InferenceModel(arg, new ModelSpec(null, r.modelJson()), r.graph(), w, norm, null, null, null);
    }

    /** One warning line per tensor holding NaN or infinite values: such weights evaluate to NaN. */
    private static void warnNonFinite(Map<String, float[]> weights, Path source, Consumer<String> notes) {
        for (String w : Checkpoint.nonFiniteWarnings(weights, source.toString())) {
            notes.accept("warning: " + w);
        }
    }

    /** The model on {@code backend}, batch norm folded into the convolutions (its memory checked first). */
    public LoadedModel on(Backend backend) {
        return LoadedModel.of(graph, weights, backend, normalization,
                classes != null ? classes : Dataset.numberedClasses(outputs(graph)), background);
    }

    /** The class names to show: the recorded ones, or numbers. */
    public List<String> classNames() {
        return classes != null ? classes : Dataset.numberedClasses(outputs(graph));
    }

    private static int outputs(Graph g) {
        return g.outputShape().dim(-1);
    }

    /** A normalisation as messages show it: "none", or its MEAN,STD text. */
    public static String describe(Normalization n) {
        return n == null ? "none" : n.format();
    }

    private static float[] background(JsonNode run) {
        JsonNode b = run.path("background");
        if (!b.isArray() || b.isEmpty()) {
            return null;
        }
        float[] out = new float[b.size()];
        for (int i = 0; i < out.length; i++) {
            double v = b.get(i).asDouble(Double.NaN);
            if (!(v >= 0 && v <= 1)) {
                return null;
            }
            out[i] = (float) v;
        }
        return out;
    }

    private static String recordedData(JsonNode run) {
        return run.path("data").isTextual() ? run.get("data").asText() : null;
    }
}
