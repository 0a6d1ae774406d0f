package dev.fovea.train;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.data.Normalization;
import dev.fovea.graph.Graph;
import dev.fovea.graph.ParamSpec;
import dev.fovea.io.AtomicFile;
import dev.fovea.io.FormatException;
import dev.fovea.io.SafeTensors;
import dev.fovea.io.StoredTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint: the weights as safetensors with PyTorch's names and layouts (loadable by
 * {@code model.load_state_dict(safetensors.torch.load_file(...))}), the optimiser's state in a second
 * safetensors file, and a JSON sidecar with everything else (model spec, epoch, seed, optimiser
 * settings, normalisation, history, and the run's command-line settings under "run", from which
 * --resume takes its defaults). Each file is written atomically and the sidecar last: the
 * sidecar is the commit point, so a run killed mid-write leaves the previous checkpoint whole. A
 * checkpoint written on an interrupt also records its {@link EpochPosition} (epoch counts complete
 * epochs; "batch" the batches done of the next one).
 */
public record Checkpoint(ModelSpec model, Map<String, StoredTensor> weights, Map<String, StoredTensor> optimizerState,
                         Map<String, Long> optimizerSteps, ObjectNode optimizer, int epoch, long seed,
                         long globalStep, Normalization normalization, List<String> classes, List<History.Epoch> history,
                         ObjectNode run, EpochPosition position) {

    public static final String FORMAT = "fovea-checkpoint/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** The sidecar path for a checkpoint stem (e.g. out/epoch-003 -> out/epoch-003.json). */
    public static Path sidecar(Path stem) {
        return stem.resolveSibling(stem.getFileName() + ".json");
    }

    /**
     * Writes weights, optimiser state, then the sidecar (the commit point); returns the sidecar's path.
     * A sidecar already at {@code stem} is removed first, so that a write interrupted half-way can
     * never pair an old sidecar with new weights. On failure the files of {@code stem} written so far
     * are removed and a {@link CheckpointWriteFailed} names the file and the reason.
     */
    public Path write(Path stem) throws IOException {
        String base = stem.getFileName().toString();
        Path weightsFile = stem.resolveSibling(base + ".safetensors");
        Path optimFile = stem.resolveSibling(base + ".optim.safetensors");
        Path side = sidecar(stem);
        Path current = side;
        try {
            if (Files.deleteIfExists(side)) {
                syncDirectory(side);
            }
            current = weightsFile;
            SafeTensors.write(weightsFile, weights, Map.of("format", "pt", "fovea", FORMAT));
            current = optimFile;
            SafeTensors.write(optimFile, optimizerState, Map.of("fovea", FORMAT));
            current = side;
            byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(sidecarJson(weightsFile, optimFile));
            AtomicFile.write(side, ch -> {
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(json);
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                TestPause.inSidecarWrite(base);
            });
        } catch (IOException e) {
            for (Path p : new Path[] {weightsFile, optimFile}) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Without its sidecar the file is not a checkpoint; the write failure is the one to report.
                }
            }
            throw new CheckpointWriteFailed(current, e, null);
        }
        return side;
    }

    /** Makes the removal of an old sidecar durable before new weights are written under its name. */
    private static void syncDirectory(Path side) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(side.toAbsolutePath().getParent(),
                java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can open a directory; SIGKILL safety does not depend on it, only power loss.
        }
    }

    private ObjectNode sidecarJson(Path weightsFile, Path optimFile) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode m = root.putObject("model");
        if (model.zoo() != null) {
            m.put("zoo", model.zoo());
        } else {
            m.set("file", JSON.readTree(model.modelFileJson()));
        }
        if (model.numClasses() > 0) {
            m.put("num_classes", model.numClasses());
        }
        root.put("weights", weightsFile.getFileName().toString());
        root.put("optimizer_state", optimFile.getFileName().toString());
        root.put("epoch", epoch);
        if (!position.atStart()) {
            root.putObject("in_epoch").put("batch", position.batch()).put("loss_sum", position.lossSum())
                    .put("counted", position.counted()).put("skipped", position.skipped())
                    .put("correct", position.correct());
        }
        root.put("seed", seed);
        root.put("global_step", globalStep);
        root.set("optimizer", optimizer);
        ObjectNode steps = root.putObject("optimizer_steps");
        optimizerSteps.forEach(steps::put);
        root.put("normalize", normalization == null ? null : normalization.format());
        root.set("run", run == null ? JSON.createObjectNode() : run);
        ArrayNode cls = root.putArray("classes");
        classes.forEach(cls::add);
        ArrayNode hist = root.putArray("history");
        for (History.Epoch e : history) {
            hist.addObject().put("epoch", e.epoch()).put("train_loss", e.trainLoss()).put("test_loss", e.testLoss())
                    .put("test_accuracy", e.testAccuracy()).put("images_per_s", e.imagesPerSecond()).put("lr", e.lr())
                    .put("train_accuracy", e.trainAccuracy());
        }
        return root;
    }

    /**
     * Reads a checkpoint from its sidecar (.json) or its weights (.safetensors); every problem is a
     * {@link FormatException} naming the file and field.
     */
    public static Checkpoint read(Path path) throws IOException {
        return read(path, true);
    }

    /**
     * Reads a checkpoint for inference: the sidecar and the weights, without the optimiser state
     * (which may be absent: only --resume needs it); {@link #optimizerState()} is then empty.
     */
    public static Checkpoint readForInference(Path path) throws IOException {
        return read(path, true, false);
    }

    /**
     * The sidecar alone (model, settings, classes, history), for what travels with weights kept
     * elsewhere; {@link #weights()} and {@link #optimizerState()} are then empty.
     */
    public static Checkpoint readSidecar(Path path) throws IOException {
        return read(path, false, false);
    }

    /** The model a checkpoint's sidecar describes, without reading its weights (for summary). */
    public static ModelSpec sidecarModel(Path path) throws IOException {
        Path side = sidecarOf(path);
        return model(sidecarJson(side), side.toString());
    }

    private static Path sidecarOf(Path path) throws FormatException {
        String name = path.getFileName().toString();
        Path side = name.endsWith(".json") ? path
                : path.resolveSibling(name.replaceAll("(\\.optim)?\\.safetensors$", "") + ".json");
        if (!Files.isRegularFile(side)) {
            throw new FormatException(path.toString(), "sidecar", "no checkpoint sidecar " + side.getFileName()
                    + " beside it (a Fovea checkpoint is NAME.json + NAME.safetensors + NAME.optim.safetensors)");
        }
        return side;
    }

    private static JsonNode sidecarJson(Path side) throws IOException {
        String file = side.toString();
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(side));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FormatException(file, "json", "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new FormatException(file, "format", "expected \"" + FORMAT + "\"");
        }
        return root;
    }

    private static ModelSpec model(JsonNode root, String file) {
        JsonNode m = root.path("model");
        ModelSpec spec;
        if (m.hasNonNull("zoo")) {
            spec = new ModelSpec(m.get("zoo").asText(), null);
        } else if (m.has("file") && m.get("file").isObject()) {
            spec = new ModelSpec(null, m.get("file").toString());
        } else {
            throw new FormatException(file, "model", "expected {\"zoo\": NAME} or {\"file\": MODEL}");
        }
        if (m.has("num_classes")) {
            if (!m.get("num_classes").canConvertToInt() || m.get("num_classes").asInt() < 2) {
                throw new FormatException(file, "model.num_classes", "expected an integer of at least 2");
            }
            spec = spec.withNumClasses(m.get("num_classes").asInt());
        }
        return spec;
    }

    private static Checkpoint read(Path path, boolean withOptimizerState) throws IOException {
        return read(path, true, withOptimizerState);
    }

    private static Checkpoint read(Path path, boolean withWeights, boolean withOptimizerState) throws IOException {
        Path side = sidecarOf(path);
        String file = side.toString();
        JsonNode root = sidecarJson(side);
        ModelSpec spec = model(root, file);
        Map<String, StoredTensor> weights = withWeights ? SafeTensors.read(referenced(root, "weights", side)).tensors()
                : Map.of();
        Map<String, StoredTensor> optim = withOptimizerState
                ? SafeTensors.read(referenced(root, "optimizer_state", side)).tensors() : Map.of();
        Map<String, Long> steps = new LinkedHashMap<>();
        root.path("optimizer_steps").fields().forEachRemaining(e -> steps.put(e.getKey(), e.getValue().asLong()));
        if (!root.path("optimizer").isObject()) {
            throw new FormatException(file, "optimizer", "expected an object with the optimiser's name and settings");
        }
        Normalization norm;
        try {
            norm = root.hasNonNull("normalize") ? Normalization.parse(root.get("normalize").asText()) : null;
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "normalize", e.getMessage());
        }
        List<String> classes = new java.util.ArrayList<>();
        root.path("classes").forEach(c -> classes.add(c.asText()));
        List<History.Epoch> history = new java.util.ArrayList<>();
        for (JsonNode e : root.path("history")) {
            history.add(new History.Epoch(e.path("epoch").asInt(), e.path("train_loss").asDouble(),
                    e.path("test_loss").asDouble(), e.path("test_accuracy").asDouble(),
                    e.path("images_per_s").asDouble(), e.path("lr").asDouble(),
                    e.path("train_accuracy").asDouble(Double.NaN)));
        }
        return new Checkpoint(spec, weights, optim, steps, (ObjectNode) root.get("optimizer"),
                integer(root, "epoch", file), root.path("seed").asLong(), root.path("global_step").asLong(),
                norm, classes, history, root.path("run").isObject() ? (ObjectNode) root.get("run") : JSON.createObjectNode(),
                position(root.path("in_epoch"), file));
    }

    /**
     * Weights for {@code graph} from a bare safetensors file (no sidecar), such as one saved from a
     * PyTorch model's state_dict; checked like {@link #weightsFor}.
     */
    public static Map<String, float[]> importWeights(Path safetensors, Graph graph) throws IOException {
        return matching(SafeTensors.read(safetensors).tensors(), graph, safetensors.toString());
    }

    /**
     * Weights for {@code graph}: every tensor present with the right shape, nothing extra except
     * PyTorch's batch-norm step counters; one error lists every mismatch, so a checkpoint of another
     * architecture is recognised as such.
     */
    public Map<String, float[]> weightsFor(Graph graph, String source) {
        return matching(weights, graph, source);
    }

    private static Map<String, float[]> matching(Map<String, StoredTensor> weights, Graph graph, String source) {
        StringBuilder problems = new StringBuilder();
        for (ParamSpec p : graph.params().values()) {
            StoredTensor v = weights.get(p.name());
            if (v == null) {
                problems.append("\n  missing ").append(p.name()).append(' ').append(p.shape());
            } else if (!v.shape().equals(p.shape())) {
                problems.append("\n  ").append(p.name()).append(": checkpoint has ").append(v.shape())
                        .append(", model needs ").append(p.shape());
            }
        }
        for (String k : weights.keySet()) {
            if (!graph.params().containsKey(k) && !k.endsWith(".num_batches_tracked")) {
                problems.append("\n  unexpected ").append(k);
            }
        }
        if (problems.length() > 0) {
            throw new IllegalArgumentException(source + ": checkpoint does not fit model '" + graph.name() + "':" + problems);
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        graph.params().keySet().forEach(k -> out.put(k, weights.get(k).values()));
        return out;
    }

    /** Host values with the graph's shapes, as stored tensors. */
    public static Map<String, StoredTensor> stored(Graph graph, Map<String, float[]> values) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, StoredTensor.f32(graph.params().get(k).shape(), v)));
        return out;
    }

    /** The file a sidecar field names, beside the sidecar; it must exist. */
    private static Path referenced(JsonNode root, String field, Path side) {
        if (!root.path(field).isTextual()) {
            throw new FormatException(side.toString(), field, "expected a file name");
        }
        Path p;
        try {
            p = side.resolveSibling(root.get(field).asText());
        } catch (java.nio.file.InvalidPathException e) {
            throw new FormatException(side.toString(), field, "not a file name: " + e.getMessage());
        }
        if (!Files.isRegularFile(p)) {
            throw new FormatException(side.toString(), field, "names " + p.getFileName() + ", which is not there");
        }
        return p;
    }

    private static EpochPosition position(JsonNode p, String file) {
        if (p.isMissingNode()) {
            return EpochPosition.START;
        }
        if (!p.isObject() || !p.path("batch").canConvertToInt() || !p.path("counted").canConvertToLong()
                || !p.path("loss_sum").isNumber() || !p.path("skipped").canConvertToInt()) {
            throw new FormatException(file, "in_epoch", "expected {\"batch\", \"loss_sum\", \"counted\", \"skipped\"}");
        }
        try {
            // "correct" (training accuracy so far) is absent from checkpoints older than it; 0 undercounts that epoch only.
            return new EpochPosition(p.get("batch").asInt(), p.get("loss_sum").asDouble(), p.get("counted").asLong(),
                    p.get("skipped").asInt(), p.path("correct").asLong(0));
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "in_epoch", e.getMessage());
        }
    }

    private static int integer(JsonNode root, String field, String file) {
        if (!root.path(field).canConvertToInt() || root.get(field).asInt() < 0) {
            throw new FormatException(file, field, "expected a non-negative integer");
        }
        return root.get(field).asInt();
    }
}
