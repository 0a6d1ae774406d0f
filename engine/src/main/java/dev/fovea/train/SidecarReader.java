package dev.fovea.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.data.Normalization;
import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import dev.fovea.io.Json;
import dev.fovea.io.Limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON sidecar of a checkpoint, read as an untrusted file: bounded in size
 * ({@link Limits#SIDECAR_BYTES}) and nesting, every field of its one JSON type (an epoch of 2.5 or
 * "2" is an error, not 2), and the weight and optimiser files it names confined to its own folder,
 * since a downloaded checkpoint must not make Fovea read any other file. Every problem is a
 * {@link FormatException} naming the sidecar and the field.
 */
final class SidecarReader {
    private static final ObjectMapper JSON = Json.strict().build();
    /** How Jackson writes a double that is not finite (a history row of a run whose every batch was skipped). */
    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

    private final Path side;
    private final String file;
    private final JsonNode root;

    private SidecarReader(Path side, JsonNode root) {
        this.side = side;
        this.file = side.toString();
        this.root = root;
    }

    static SidecarReader open(Path side) throws IOException {
        byte[] bytes = FileBytes.read(side, Limits.SIDECAR_BYTES, "the limit for checkpoint sidecars");
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new FormatException(side.toString(), "json", "not valid JSON: " + Json.problem(e), e);
        }
        if (root == null || !root.isObject() || !root.path("format").isTextual()
                || !Checkpoint.FORMAT.equals(root.get("format").textValue())) {
            throw new FormatException(side.toString(), "format", "expected \"" + Checkpoint.FORMAT + "\"");
        }
        return new SidecarReader(side, root);
    }

    /** The model, checked by building its graph (which allocates nothing), so a bad model file is this sidecar's error. */
    ModelSpec model() {
        JsonNode m = root.path("model");
        // "num_classes": the classifier head was replaced (--num-classes); absent, the architecture's own head.
        int fields = m.isObject() && m.has("num_classes") ? 2 : 1;
        ModelSpec spec;
        if (m.isObject() && m.size() == fields && m.path("zoo").isTextual()) {
            spec = new ModelSpec(m.get("zoo").textValue(), null);
        } else if (m.isObject() && m.size() == fields && m.path("file").isObject()) {
            spec = new ModelSpec(null, m.get("file").toString());
        } else {
            throw new FormatException(file, "model", "expected {\"zoo\": NAME} or {\"file\": MODEL}");
        }
        if (fields == 2) {
            spec = spec.withNumClasses((int) integer(m, "num_classes", "model.num_classes", 2, Limits.MODEL_CHANNELS, null));
        }
        try {
            spec.graph();
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "model", e.getMessage(), e);
        }
        return spec;
    }

    /**
     * The file a field names: a plain file name, which resolves beside the sidecar, and an existing
     * regular file there. An absolute path, a path with a separator or "..", and anything else that
     * would leave the folder is refused, not resolved.
     */
    Path referenced(String field) {
        JsonNode v = root.get(field);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw new FormatException(file, field, "expected a file name");
        }
        String name = v.textValue();
        Path p;
        try {
            p = Path.of(name);
        } catch (InvalidPathException e) {
            throw new FormatException(file, field, "not a file name: " + e.getMessage());
        }
        if (p.isAbsolute() || p.getNameCount() != 1 || name.contains("/") || name.contains("\\") || name.equals("..")
                || name.equals(".")) {
            String shown = name.length() > 200 ? name.substring(0, 197) + "..." : name;
            throw new FormatException(file, field, "names '" + shown + "', which is not a file beside the sidecar; "
                    + "a checkpoint may only name its own files in its own folder (a downloaded one could otherwise "
                    + "make Fovea read any file)");
        }
        Path resolved = side.resolveSibling(name);
        if (!Files.exists(resolved)) {
            throw new FormatException(file, field, "names " + clip(name) + ", which is not there");
        }
        return resolved;
    }

    int epoch() {
        return (int) integer(root, "epoch", "epoch", 0, Integer.MAX_VALUE, null);
    }

    long seed() {
        return integer(root, "seed", "seed", Long.MIN_VALUE, Long.MAX_VALUE, 0L);
    }

    long globalStep() {
        return integer(root, "global_step", "global_step", 0, Long.MAX_VALUE, 0L);
    }

    Map<String, Long> optimizerSteps() {
        Map<String, Long> steps = new LinkedHashMap<>();
        JsonNode node = root.get("optimizer_steps");
        if (node == null) {
            return steps;
        }
        if (!node.isObject()) {
            throw new FormatException(file, "optimizer_steps", "expected an object of parameter names and step counts");
        }
        node.fields().forEachRemaining(e -> steps.put(e.getKey(),
                integer(node, e.getKey(), "optimizer_steps." + clip(e.getKey()), 0, Long.MAX_VALUE, null)));
        return steps;
    }

    /** The optimiser's settings, checked here by building the optimiser and schedule they describe. */
    ObjectNode optimizer() {
        JsonNode o = root.get("optimizer");
        if (o == null || !o.isObject()) {
            throw new FormatException(file, "optimizer", "expected an object with the optimiser's name and settings");
        }
        try {
            OptimizerSettings.fromJson(o);
            OptimizerSettings.scheduleFromJson(o);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "optimizer", e.getMessage(), e);
        }
        return (ObjectNode) o;
    }

    Normalization normalization() {
        JsonNode n = root.get("normalize");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new FormatException(file, "normalize", "expected null or a string such as \"0.1307,0.3081\"");
        }
        try {
            return Normalization.parse(n.textValue());
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "normalize", e.getMessage(), e);
        }
    }

    List<String> classes() {
        List<String> classes = new ArrayList<>();
        for (JsonNode c : array("classes")) {
            if (!c.isTextual()) {
                throw new FormatException(file, "classes[" + classes.size() + "]", "expected a class name (a string)");
            }
            classes.add(c.textValue());
        }
        return classes;
    }

    List<History.Epoch> history() {
        List<History.Epoch> history = new ArrayList<>();
        for (JsonNode e : array("history")) {
            String where = "history[" + history.size() + "]";
            if (!e.isObject()) {
                throw new FormatException(file, where, "expected an object with epoch, losses, accuracy, speed and lr");
            }
            history.add(new History.Epoch((int) integer(e, "epoch", where + ".epoch", 0, Integer.MAX_VALUE, null),
                    real(e, "train_loss", where), real(e, "test_loss", where), real(e, "test_accuracy", where),
                    real(e, "images_per_s", where), real(e, "lr", where),
                    // Training accuracy is absent from checkpoints older than it: NaN, which charts leave out.
                    e.has("train_accuracy") ? real(e, "train_accuracy", where) : Double.NaN));
        }
        return history;
    }

    /**
     * The run's settings; the fields --resume, --init-from and inference take from it are checked for
     * their types: data, augment, schedule and init_from strings (or null), batch_size, limit, epochs
     * and keep integers, freeze names, background per-channel values in [0, 1].
     */
    ObjectNode run() {
        JsonNode run = root.get("run");
        if (run == null) {
            return JSON.createObjectNode();
        }
        if (!run.isObject()) {
            throw new FormatException(file, "run", "expected an object of the run's settings");
        }
        for (String text : new String[] {"data", "augment", "schedule", "init_from"}) {
            if (run.has(text) && !run.get(text).isTextual() && !run.get(text).isNull()) {
                throw new FormatException(file, "run." + text, "expected a string or null");
            }
        }
        if (run.has("batch_size")) {
            integer(run, "batch_size", "run.batch_size", 1, Integer.MAX_VALUE, null);
        }
        if (run.has("limit")) {
            integer(run, "limit", "run.limit", -1, Integer.MAX_VALUE, null);
        }
        if (run.has("epochs")) {
            integer(run, "epochs", "run.epochs", 1, Integer.MAX_VALUE, null);
        }
        if (run.has("keep") && !run.get("keep").isNull()) {
            integer(run, "keep", "run.keep", 0, Integer.MAX_VALUE, null);
        }
        JsonNode freeze = runArray(run, "freeze");
        for (int i = 0; i < freeze.size(); i++) {
            if (!freeze.get(i).isTextual()) {
                throw new FormatException(file, "run.freeze[" + i + "]", "expected a layer or parameter name (a string)");
            }
        }
        JsonNode background = runArray(run, "background");
        for (int i = 0; i < background.size(); i++) {
            JsonNode v = background.get(i);
            if (!v.isNumber() || !(v.doubleValue() >= 0 && v.doubleValue() <= 1)) {
                throw new FormatException(file, "run.background[" + i + "]", "expected a number in 0..1, found "
                        + clip(v.toString()));
            }
        }
        return (ObjectNode) run;
    }

    EpochPosition position() {
        JsonNode p = root.get("in_epoch");
        if (p == null) {
            return EpochPosition.START;
        }
        if (!p.isObject()) {
            throw new FormatException(file, "in_epoch", "expected {\"batch\", \"loss_sum\", \"counted\", \"skipped\"}");
        }
        int batch = (int) integer(p, "batch", "in_epoch.batch", 0, Integer.MAX_VALUE, null);
        double lossSum = real(p, "loss_sum", "in_epoch");
        long counted = integer(p, "counted", "in_epoch.counted", 0, Long.MAX_VALUE, null);
        int skipped = (int) integer(p, "skipped", "in_epoch.skipped", 0, Integer.MAX_VALUE, null);
        // "correct" (training accuracy so far) is absent from checkpoints older than it; 0 undercounts that epoch only.
        long correct = integer(p, "correct", "in_epoch.correct", 0, Long.MAX_VALUE, 0L);
        try {
            return new EpochPosition(batch, lossSum, counted, skipped, correct);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "in_epoch", e.getMessage(), e);
        }
    }

    /** An array field of "run", bounded as the sidecar's own arrays are; empty when absent. */
    private JsonNode runArray(JsonNode run, String field) {
        JsonNode a = run.get(field);
        if (a == null) {
            return JSON.createArrayNode();
        }
        if (!a.isArray()) {
            throw new FormatException(file, "run." + field, "expected an array");
        }
        if (a.size() > Limits.SIDECAR_ENTRIES) {
            throw new FormatException(file, "run." + field, "holds " + a.size() + " entries, more than the limit for "
                    + "sidecars (" + Limits.SIDECAR_ENTRIES + ")");
        }
        return a;
    }

    private JsonNode array(String field) {
        JsonNode a = root.get(field);
        if (a == null) {
            return JSON.createArrayNode();
        }
        if (!a.isArray()) {
            throw new FormatException(file, field, "expected an array");
        }
        if (a.size() > Limits.SIDECAR_ENTRIES) {
            throw new FormatException(file, field, "holds " + a.size() + " entries, more than the limit for sidecars ("
                    + Limits.SIDECAR_ENTRIES + ")");
        }
        return a;
    }

    /**
     * An integer field of {@code node} in {@code min..max}, exactly: 2.0, 2.5 and "2" are errors.
     * A missing field takes {@code absent}, or is an error when that is null.
     */
    private long integer(JsonNode node, String key, String field, long min, long max, Long absent) {
        JsonNode v = node.get(key);
        if (v == null && absent != null) {
            return absent;
        }
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new FormatException(file, field, "expected an integer in " + min + ".." + max + ", found "
                    + (v == null ? "nothing" : clip(v.toString())));
        }
        return v.longValue();
    }

    /** A number field: a JSON number, or the string Jackson writes for NaN or an infinity. */
    private double real(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v != null && v.isNumber()) {
            return v.doubleValue();
        }
        if (v != null && v.isTextual() && NON_FINITE.contains(v.textValue())) {
            return Double.parseDouble(v.textValue());
        }
        throw new FormatException(file, where + "." + key, "expected a number, found "
                + (v == null ? "nothing" : clip(v.toString())));
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
