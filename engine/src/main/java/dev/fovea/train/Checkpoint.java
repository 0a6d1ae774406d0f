package dev.fovea.train;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.data.Normalization;
import dev.fovea.graph.Graph;
import dev.fovea.graph.ParamSpec;
import dev.fovea.io.AtomicFile;
import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import dev.fovea.io.Limits;
import dev.fovea.io.Listing;
import dev.fovea.io.SafeTensors;
import dev.fovea.io.StoredTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    private static final Pattern WEIGHTS_SUFFIX = Pattern.compile("(\\.optim)?\\.safetensors$");

    /**
     * A checkpoint of weights alone, as the Java API saves a model: epoch 0, no history, no optimiser
     * state (SGD's defaults recorded as its optimiser, which a --resume would continue with), and
     * the normalisation, class names and image background (null when unknown) that inference uses.
     */
    public static Checkpoint ofWeights(ModelSpec model, Graph graph, Map<String, float[]> weights, Normalization norm,
                                       List<String> classes, float[] background) {
        ObjectNode run = JSON.createObjectNode();
        if (background != null) {
            ArrayNode b = run.putArray("background");
            for (float v : background) {
                b.add(v);
            }
        }
        ObjectNode optimizer = OptimizerSettings.toJson(OptimizerSettings.of("sgd", null, null, false, null),
                new dev.fovea.optim.LrSchedule.Constant());
        return new Checkpoint(model, stored(graph, weights), Map.of(), Map.of(), optimizer, 0, 1, 0, norm, classes, List.of(),
                run, EpochPosition.START);
    }

    /** The sidecar path for a checkpoint stem (e.g. out/epoch-003 -> out/epoch-003.json). */
    public static Path sidecar(Path stem) {
        return stem.resolveSibling(stem.getFileName() + ".json");
    }

    /**
     * The sidecar of the checkpoint a user named by any of its three files: NAME.json itself, or the
     * NAME.json beside NAME.safetensors or NAME.optim.safetensors. Whether it exists is the caller's
     * question (bare weights have none).
     */
    public static Path sidecarBeside(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".json") ? file : file.resolveSibling(WEIGHTS_SUFFIX.matcher(name).replaceFirst("") + ".json");
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
     * {@link FormatException} naming the file and field ({@link SidecarReader} says what is checked).
     */
    public static Checkpoint read(Path path) throws IOException {
        return read(path, true, true);
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
        return SidecarReader.open(existingSidecar(path)).model();
    }

    private static Path existingSidecar(Path path) throws IOException {
        if (Files.exists(path)) {
            FileBytes.regularFileSize(path); // a FIFO or device given as the checkpoint is refused as such
        }
        Path side = sidecarBeside(path);
        if (!Files.exists(side)) {
            throw new FormatException(path.toString(), "sidecar", "no checkpoint sidecar " + side.getFileName()
                    + " beside it (a Fovea checkpoint is NAME.json + NAME.safetensors + NAME.optim.safetensors)");
        }
        return side;
    }

    private static Checkpoint read(Path path, boolean withWeights, boolean withOptimizerState) throws IOException {
        SidecarReader r = SidecarReader.open(existingSidecar(path));
        ModelSpec spec = r.model();
        ObjectNode optimizer = r.optimizer();
        int epoch = r.epoch();
        long seed = r.seed();
        long globalStep = r.globalStep();
        Map<String, Long> steps = r.optimizerSteps();
        Normalization norm = r.normalization();
        List<String> classes = r.classes();
        List<History.Epoch> history = r.history();
        ObjectNode run = r.run();
        EpochPosition position = r.position();
        // The sidecar is checked whole before its weights are read: a bad field costs no tensor I/O.
        Map<String, StoredTensor> weights = withWeights ? SafeTensors.read(r.referenced("weights")).tensors() : Map.of();
        Map<String, StoredTensor> optim = withOptimizerState
                ? SafeTensors.read(r.referenced("optimizer_state")).tensors() : Map.of();
        return new Checkpoint(spec, weights, optim, steps, optimizer, epoch, seed, globalStep, norm, classes, history, run,
                position);
    }

    /**
     * One warning per tensor of {@code weights} that holds NaN or infinite values (at most
     * {@link Limits#LISTED}, then how many more), e.g. "x.safetensors: tensor 'fc1.weight' holds 12
     * non-finite values of 1,179,648 (10 NaN, 2 infinite)": such weights evaluate to NaN, and the user
     * should hear so when they are loaded, not from the accuracy.
     */
    public static List<String> nonFiniteWarnings(Map<String, float[]> weights, String source) {
        List<String> warnings = new java.util.ArrayList<>();
        int more = 0;
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            float[] v = e.getValue();
            if (Finiteness.allFinite(v, v.length)) {
                continue;
            }
            if (warnings.size() == Limits.LISTED) {
                more++;
                continue;
            }
            long nan = 0;
            long inf = 0;
            for (float x : v) {
                nan += Float.isNaN(x) ? 1 : 0;
                inf += Float.isInfinite(x) ? 1 : 0;
            }
            warnings.add(String.format(java.util.Locale.ROOT, "%s: tensor '%s' holds %,d non-finite values of %,d (%,d NaN, "
                    + "%,d infinite)", source, e.getKey(), nan + inf, v.length, nan, inf));
        }
        if (more > 0) {
            warnings.add(source + ": " + Listing.more(more) + " tensors with non-finite values");
        }
        return warnings;
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
     * PyTorch's batch-norm step counters; one line lists the mismatches (ten, then how many more), so
     * a checkpoint of another architecture is recognised as such.
     */
    public Map<String, float[]> weightsFor(Graph graph, String source) {
        return matching(weights, graph, source);
    }

    private static Map<String, float[]> matching(Map<String, StoredTensor> weights, Graph graph, String source) {
        List<String> problems = new java.util.ArrayList<>();
        for (ParamSpec p : graph.params().values()) {
            StoredTensor v = weights.get(p.name());
            if (v == null) {
                problems.add("missing " + p.name() + " " + p.shape());
            } else if (!v.shape().equals(p.shape())) {
                problems.add(p.name() + ": checkpoint has " + v.shape() + ", model needs " + p.shape());
            }
        }
        for (String k : weights.keySet()) {
            if (!graph.params().containsKey(k) && !k.endsWith(".num_batches_tracked")) {
                problems.add("unexpected " + k);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(source + ": checkpoint does not fit model '" + graph.name() + "': "
                    + Listing.of(problems, "; "));
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
}
