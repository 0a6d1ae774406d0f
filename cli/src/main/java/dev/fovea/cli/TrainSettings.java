package dev.fovea.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Normalization;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.train.Checkpoint;
import dev.fovea.train.InferenceModel;
import dev.fovea.train.ModelSpec;
import dev.fovea.train.OptimizerSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The settings a training runs with, from the command line and, for --resume, the checkpoint. A new
 * run takes what is given and the defaults for the rest. A resumed run continues with what it
 * recorded, except what is given again: the learning rate, momentum, weight decay, schedule, epochs,
 * data, batch size, limit, augmentation, seed, frozen layers and --keep then change (each change is
 * reported), while a different model, head, optimiser or normalisation is refused with the reason,
 * since the checkpoint's weights and optimiser state belong to the recorded ones. Nothing given is
 * ignored.
 */
final class TrainSettings {
    static final int DEFAULT_EPOCHS = 4;
    static final int DEFAULT_BATCH = 64;
    static final String DEFAULT_AUGMENT = "crop=2";
    static final String DEFAULT_SCHEDULE = "cosine";
    static final long DEFAULT_SEED = 1;

    ModelSpec model;
    String data;
    int epochs;
    int batchSize;
    OptimizerConfig optimizer;
    /** The schedule as the command line writes it; null for a checkpoint older than its record. */
    String schedule;
    LrSchedule lrSchedule;
    Normalization normalization;
    /** Null: no augmentation. */
    String augment;
    long seed;
    /** Null: every image. */
    Integer limit;
    List<String> freeze = List.of();
    int keep;
    /** For a resumed run, what the command line changed, as "--lr 0.05 -> 0.01". */
    final List<String> changes = new ArrayList<>();

    private TrainSettings() {
    }

    /** A new run; {@code init} is the checkpoint whose weights it starts from (--init-from), or null. */
    static TrainSettings fresh(TrainCommand o, Checkpoint init) {
        TrainSettings s = new TrainSettings();
        ModelSpec base = o.model != null ? ModelSpec.parse(o.model) : init != null ? init.model()
                : ModelSpec.parse(TrainCommand.DEFAULT_MODEL);
        s.model = o.numClasses != null ? base.withNumClasses(o.numClasses) : base;
        s.data = o.data != null ? o.data : EmbeddedDatasets.MNIST_DIGITS;
        s.epochs = o.epochs != null ? o.epochs : DEFAULT_EPOCHS;
        s.batchSize = o.batchSize != null ? o.batchSize : DEFAULT_BATCH;
        s.optimizer = OptimizerSettings.of(o.optimizer != null ? o.optimizer : "sgd", o.lr, o.momentum, o.nesterov,
                o.weightDecay);
        s.schedule = o.schedule != null ? o.schedule : DEFAULT_SCHEDULE;
        s.lrSchedule = OptimizerSettings.schedule(s.schedule, s.epochs);
        // Weights trained on normalised inputs expect them: a fine-tuned model keeps its checkpoint's normalisation.
        s.normalization = o.normalize != null ? Normalization.parse(o.normalize) : init != null ? init.normalization() : null;
        s.augment = augmentText(o.augment != null ? o.augment : DEFAULT_AUGMENT);
        s.seed = o.seed != null ? o.seed : DEFAULT_SEED;
        s.limit = o.limit;
        s.freeze = o.freeze != null ? freezeList(o.freeze) : List.of();
        s.keep = o.keep != null ? o.keep : 0;
        return s;
    }

    /** A run continued from {@code c}, read from {@code from}. */
    static TrainSettings resumed(TrainCommand o, Checkpoint c, Path from) {
        TrainSettings s = new TrainSettings();
        ObjectNode run = c.run();
        s.model = c.model();
        if (o.model != null && !ModelSpec.parse(o.model).withNumClasses(c.model().numClasses()).sameAs(c.model())) {
            throw new IllegalArgumentException("--model " + o.model + ": " + from + " is a run of " + c.model().describe()
                    + ", which --resume continues with that model (leave --model out); " + o.model + " needs a new run");
        }
        int outputs = c.model().graph().outputShape().dim(-1);
        if (o.numClasses != null && o.numClasses != outputs) {
            throw new IllegalArgumentException("--num-classes " + o.numClasses + ": the run's model has " + outputs
                    + " outputs; a new classifier head starts a new run: --init-from " + from + " --num-classes "
                    + o.numClasses);
        }
        String recordedOptimizer = c.optimizer().path("name").asText();
        if (o.optimizer != null && !o.optimizer.equalsIgnoreCase(recordedOptimizer)) {
            throw new IllegalArgumentException("--optimizer " + o.optimizer + ": the run trains with " + recordedOptimizer
                    + " and its checkpoint holds " + recordedOptimizer + "'s state; to switch, start a new run from its "
                    + "weights: --init-from " + from + " --optimizer " + o.optimizer);
        }
        if (o.normalize != null && !Normalization.parse(o.normalize).equals(c.normalization())) {
            throw new IllegalArgumentException("--normalize " + o.normalize + ": the run was trained on inputs normalised "
                    + "with " + InferenceModel.describe(c.normalization()) + ", which its weights expect; leave --normalize "
                    + "out, or start a new run with --init-from " + from);
        }
        s.normalization = c.normalization();

        s.epochs = pick(s, "--epochs", o.epochs, run.path("epochs").isInt() ? run.get("epochs").asInt() : DEFAULT_EPOCHS);
        s.data = pick(s, "--data", o.data == null ? null : recordable(o.data),
                run.path("data").asText(EmbeddedDatasets.MNIST_DIGITS));
        s.batchSize = pick(s, "--batch-size", o.batchSize, run.path("batch_size").asInt(DEFAULT_BATCH));
        Integer recordedLimit = run.path("limit").asInt(-1) > 0 ? run.get("limit").asInt() : null;
        s.limit = o.limit != null ? pick(s, "--limit", o.limit, recordedLimit) : recordedLimit;
        String recordedAugment = run.hasNonNull("augment") ? run.get("augment").asText() : null;
        s.augment = recordedAugment;
        if (o.augment != null) {
            // "--augment none" is a value too (null), so pick() cannot tell it from "not given".
            s.augment = augmentText(o.augment);
            if (!Objects.equals(s.augment, recordedAugment)) {
                s.changes.add("--augment " + (recordedAugment == null ? "none" : recordedAugment) + " -> "
                        + (s.augment == null ? "none" : s.augment));
            }
        }
        s.seed = pick(s, "--seed", o.seed, c.seed());
        List<String> recordedFreeze = new ArrayList<>();
        run.path("freeze").forEach(f -> recordedFreeze.add(f.asText()));
        s.freeze = o.freeze != null ? pick(s, "--freeze", freezeList(o.freeze), recordedFreeze) : recordedFreeze;
        s.keep = pick(s, "--keep", o.keep, run.path("keep").asInt(0));

        OptimizerConfig before;
        try {
            before = OptimizerSettings.fromJson(c.optimizer());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(from + ": " + e.getMessage().replaceFirst("^checkpoint: ", ""), e);
        }
        s.optimizer = OptimizerSettings.override(c.optimizer(), o.lr, o.momentum,
                o.nesterovGiven() ? o.nesterov : null, o.weightDecay);
        JsonNode was = new ObjectMapper().valueToTree(before);
        JsonNode now = new ObjectMapper().valueToTree(s.optimizer);
        for (String[] f : new String[][] {{"lr", "--lr"}, {"momentum", "--momentum"}, {"nesterov", "--nesterov"},
                {"weightDecay", "--weight-decay"}}) {
            if (was.has(f[0]) && !was.get(f[0]).equals(now.get(f[0]))) {
                s.changes.add(f[1] + " " + was.get(f[0]).asText() + " -> " + now.get(f[0]).asText());
            }
        }

        LrSchedule recorded = OptimizerSettings.scheduleFromJson(c.optimizer());
        String recordedText = run.path("schedule").isTextual() ? run.get("schedule").asText() : null;
        if (o.schedule != null || recordedText != null) {
            s.schedule = o.schedule != null ? o.schedule : recordedText;
            if (o.schedule != null && !o.schedule.equals(recordedText)) {
                s.changes.add("--schedule " + (recordedText != null ? recordedText : describe(recorded)) + " -> " + o.schedule);
            }
            s.lrSchedule = OptimizerSettings.schedule(s.schedule, s.epochs);
        } else if (recorded instanceof LrSchedule.Cosine cos && cos.tMax() < s.epochs) {
            // Before runs recorded the schedule's text, the cosine's length was always the run's --epochs.
            s.lrSchedule = new LrSchedule.Cosine(s.epochs, cos.etaMin());
        } else {
            s.lrSchedule = recorded;
        }
        if (recorded instanceof LrSchedule.Cosine a && s.lrSchedule instanceof LrSchedule.Cosine b && a.tMax() != b.tMax()) {
            s.changes.add(String.format(Locale.ROOT, "the cosine schedule now spans %d epochs (it spanned %d), so epoch %d "
                    + "trains at lr %.3g", b.tMax(), a.tMax(), c.epoch() + 1, b.lr(s.optimizer.lr(), c.epoch())));
        }

        if (!c.position().atStart()) {
            // The interrupted epoch goes on with the batches it started with; those settings choose them.
            for (String option : List.of("--data", "--batch-size", "--limit", "--seed")) {
                for (String change : s.changes) {
                    if (change.startsWith(option + " ")) {
                        throw new IllegalArgumentException(option + ": " + from + " was written in the middle of epoch "
                                + (c.epoch() + 1) + ", which goes on with the batches it started with; to change "
                                + option + ", resume from the checkpoint of epoch " + c.epoch()
                                + (c.epoch() > 0 ? String.format(Locale.ROOT, " (epoch-%03d.json)", c.epoch()) : ""));
                    }
                }
            }
        }
        return s;
    }

    /** The given value (recording the change when it differs from the recorded one), else the recorded one. */
    private static <T> T pick(TrainSettings s, String option, T given, T recorded) {
        if (given == null) {
            return recorded;
        }
        if (!Objects.equals(given, recorded)) {
            s.changes.add(option + " " + (recorded == null ? "(none)" : show(recorded)) + " -> " + show(given));
        }
        return given;
    }

    private static String show(Object v) {
        return v instanceof List<?> l ? (l.isEmpty() ? "none" : String.join(",", l.stream().map(Object::toString).toList()))
                : String.valueOf(v);
    }

    private static String describe(LrSchedule s) {
        if (s instanceof LrSchedule.Cosine c) {
            return "cosine:" + c.tMax();
        }
        if (s instanceof LrSchedule.Step st) {
            return "step:" + st.stepSize() + ":" + st.gamma();
        }
        return "constant";
    }

    /** "none" (or empty) means no augmentation: null. */
    private static String augmentText(String text) {
        TrainCommand.augmentation(text);
        return text.isBlank() || text.equalsIgnoreCase("none") ? null : text;
    }

    /** "--freeze none" trains every layer. */
    private static List<String> freezeList(List<String> given) {
        List<String> out = new ArrayList<>();
        for (String g : given) {
            if (g.isBlank()) {
                throw new IllegalArgumentException("--freeze: an empty layer name");
            }
            if (!g.equalsIgnoreCase("none")) {
                out.add(g);
            }
        }
        return List.copyOf(out);
    }

    /** A data directory is recorded as an absolute path, so eval and --resume find it from anywhere. */
    static String recordable(String data) {
        Path p = Path.of(data);
        return !data.equals(EmbeddedDatasets.MNIST_DIGITS) && Files.isDirectory(p) ? p.toAbsolutePath().normalize().toString()
                : data;
    }

    /** What a checkpoint's "run" records of these settings (and, added by the caller, the data's background). */
    ObjectNode record(ObjectMapper json) {
        ObjectNode run = json.createObjectNode();
        run.put("data", recordable(data)).put("batch_size", batchSize).put("augment", augment)
                .put("limit", limit == null ? -1 : limit).put("epochs", epochs).put("schedule", schedule).put("keep", keep);
        ArrayNode f = run.putArray("freeze");
        freeze.forEach(f::add);
        return run;
    }
}
