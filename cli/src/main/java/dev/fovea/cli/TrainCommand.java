package dev.fovea.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.backend.Backend;
import dev.fovea.data.Augmentation;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.graph.Graph;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.train.Checkpoint;
import dev.fovea.train.CheckpointArgs;
import dev.fovea.train.LoadedModel;
import dev.fovea.train.OptimizerSettings;
import dev.fovea.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * `fovea train`: trains a zoo model or a model file on a data set, with a progress bar per epoch,
 * evaluation and a checkpoint after each epoch, and the curves as CSV and PNG. With no arguments it
 * trains mnist-cnn on the embedded MNIST digits. Ctrl-C (or SIGTERM) finishes the batch, writes a
 * checkpoint that --resume continues from that very batch, and exits with status 130. --init-from
 * starts a new run from a checkpoint's weights (fine-tuning), with --num-classes for a new head and
 * --freeze for layers that stay as they are.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model. With no arguments: mnist-cnn on the embedded 10k MNIST digits, 4 epochs, into a new "
                + "directory runs/train (runs/train2, ... when it exists).")
public final class TrainCommand implements Callable<Integer> {
    static final String DEFAULT_MODEL = "mnist-cnn";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", description = "Zoo model name or model file (default mnist-cnn; with "
            + "--init-from, the checkpoint's model; with --resume, the run's, and another is refused).")
    String model;

    @Option(names = "--num-classes", paramLabel = "N", description = "Replace the classifier head (the last linear layer) "
            + "with a new one of N outputs, as for a torchvision model (default: the model's own head).")
    Integer numClasses;

    @Option(names = "--init-from", paramLabel = "CHECKPOINT", description = "Start from a checkpoint's weights (or bare "
            + "weights of --model) with new settings, data, optimiser and epochs: fine-tuning (default: fresh weights).")
    Path initFrom;

    @Option(names = "--freeze", arity = "1..*", split = ",", paramLabel = "PREFIX", description = "Do not train these "
            + "layers or modules (conv1, layer1, features, or parameter names); their batch norms keep their running "
            + "statistics. bn-stats: every batch norm normalises with its running statistics and keeps them, its weight "
            + "and bias still train (PyTorch's eval() on each BatchNorm) (default: none, every layer trains).")
    List<String> freeze;

    @Option(names = "--data", paramLabel = "DATA", description = "mnist-digits (embedded), or a directory of IDX files, "
            + "CIFAR-10 batches, or train/ and test/ image folders (default mnist-digits; with --resume, the run's).")
    String data;

    @Option(names = "--epochs", paramLabel = "N", description = "Total epochs, a resumed run's earlier ones included "
            + "(default " + TrainSettings.DEFAULT_EPOCHS + "; with --resume, the run's).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per step (default "
            + TrainSettings.DEFAULT_BATCH + "; with --resume, the run's).")
    Integer batchSize;

    @Option(names = "--optimizer", paramLabel = "NAME", description = "sgd, adagrad, adadelta, rmsprop, adam, adamw "
            + "(default sgd; with --resume, the run's, and another is refused).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate (default: the optimizer's, as in PyTorch: "
            + "adam, adamw, rmsprop 0.001, adagrad 0.01, adadelta 1.0; sgd 0.05; with --resume, the run's).")
    Double lr;

    @Option(names = "--momentum", paramLabel = "M", description = "Momentum of sgd and rmsprop (default: sgd 0.9, "
            + "rmsprop 0; refused for other optimizers).")
    Double momentum;

    @Option(names = "--nesterov", description = "sgd: Nesterov momentum (default off).")
    boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "L2", description = "L2 penalty (default 0; with --resume, the run's).")
    Double weightDecay;

    @Option(names = "--schedule", paramLabel = "constant|step:N:G|cosine[:T]", description = "Learning-rate schedule: "
            + "constant, times G every N epochs, or a cosine from the rate to 0 over T epochs (default cosine, T = "
            + "--epochs, also when a resumed run gets more epochs).")
    String schedule;

    @Option(names = "--normalize", paramLabel = "MEAN,STD", description = "Per-channel normalisation after scaling to "
            + "[0,1], e.g. 0.1307,0.3081, recorded in checkpoints (default none; with --init-from or --resume, the "
            + "checkpoint's).")
    String normalize;

    @Option(names = "--augment", paramLabel = "crop=P,flip|none", description = "Training augmentation: random crop "
            + "with padding P and/or horizontal flip (default " + TrainSettings.DEFAULT_AUGMENT + ").")
    String augment;

    @Option(names = "--seed", paramLabel = "N", description = "Seeds weights, --limit's subset, order, augmentation, "
            + "dropout (default " + TrainSettings.DEFAULT_SEED + "; with --resume, the run's).")
    Long seed;

    @Option(names = "--limit", paramLabel = "N", description = "Train on N images and test on max(N/4, classes), each a "
            + "seeded class-balanced subset, for quick runs (default: all).")
    Integer limit;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory; one that already holds files is "
            + "refused unless --overwrite (default: a new runs/train, runs/train2, ...; with --resume, the checkpoint's "
            + "directory).")
    Path out;

    @Option(names = "--overwrite", description = "Replace the run in a non-empty --out (its checkpoints, history and "
            + "charts are removed first; default off).")
    boolean overwrite;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "Continue a run from a checkpoint (its .json "
            + "or .safetensors, or the run directory for its latest); options given again override the run's (default: "
            + "a new run).")
    Path resume;

    @Option(names = "--keep", paramLabel = "N", description = "Keep only the last N epoch checkpoints (default: all).")
    Integer keep;

    @Option(names = "--on-nan", defaultValue = "stop", paramLabel = "stop|skip",
            description = "On a non-finite loss: stop (keeping the last good checkpoint) or skip the batch (default ${DEFAULT-VALUE}).")
    String onNan;

    @Mixin
    DeviceOptions device;

    boolean nesterovGiven() {
        return spec.commandLine().getParseResult().hasMatchedOption("--nesterov");
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Trainer.NonFinite policy = validateArguments();

        Checkpoint ckpt = null;
        Path resumeFrom = null;
        Checkpoint init = null;
        Map<String, float[]> initWeights = null;
        Path initPath = null;
        TrainSettings s;
        if (resume != null) {
            resumeFrom = CheckpointArgs.resolve(resume, "--resume", false).path();
            ckpt = Checkpoint.read(resumeFrom);
            s = TrainSettings.resumed(this, ckpt, resumeFrom);
        } else {
            InitialWeights.Source source = initFrom == null ? null : InitialWeights.read(initFrom, model);
            init = source == null ? null : source.checkpoint();
            s = TrainSettings.fresh(this, init);
            if (source != null) {
                initWeights = InitialWeights.weights(source, s.model.graph(), numClasses != null, s.seed);
                initPath = source.path();
            }
        }
        Graph graph = s.model.graph();
        Set<String> frozen = dev.fovea.train.Freezing.parameters(graph, s.freeze);
        if (ckpt != null && s.epochs <= ckpt.epoch()) {
            log.printf(Locale.ROOT, "nothing to do: %s already has %d epochs (ask for more with --epochs)%n", resumeFrom,
                    ckpt.epoch());
            return 0;
        }

        Path outDir = out != null ? out : ckpt != null ? resumeFrom.toAbsolutePath().getParent()
                : RunDirectory.fresh(Path.of("runs"));
        try (RunDirectory dir = RunDirectory.open(outDir, overwrite, resumeFrom == null ? null
                : resumeFrom.toAbsolutePath().getParent(), err)) {
            Splits splits = DataSources.open(s.data, LoadedModel.folderSize(graph));
            Splits all = splits;
            if (s.limit != null) {
                splits = splits.limit(s.limit, s.seed);
            }
            if (ckpt != null) {
                ClassCheck.check(resumeFrom.toString(), graph, ckpt.classes(), splits.train());
            } else {
                Trainer.checkFits(graph, splits.train());
                if (init != null && numClasses == null && !init.classes().equals(splits.train().classNames())) {
                    err.println("fovea: note: the data's classes (" + Trainer.classList(splits.train().classNames())
                            + ") are not " + initFrom + "'s (" + Trainer.classList(init.classes()) + "): its classifier "
                            + "head is fine-tuned to them; --num-classes " + splits.train().numClasses()
                            + " starts a new head instead");
                    err.flush();
                }
            }
            if (s.normalization != null) {
                s.normalization.check(splits.train().channels());
            }
            ObjectMapper json = new ObjectMapper();
            ObjectNode run = s.record(json);
            ArrayNode background = run.putArray("background");
            for (float v : splits.train().borderMean()) {
                background.add(v);
            }
            if (initFrom != null) {
                run.put("init_from", initFrom.toAbsolutePath().normalize().toString());
            }

            if (ckpt != null) {
                log.printf(Locale.ROOT, "resuming %s from %s (epoch %d done%s)%s%n", s.model.describe(), resumeFrom,
                        ckpt.epoch(), ckpt.position().atStart() ? "" : ", and batch " + ckpt.position().batch()
                                + " of epoch " + (ckpt.epoch() + 1),
                        s.changes.isEmpty() ? "" : "; changed: " + String.join(", ", s.changes));
            } else if (init != null || initWeights != null) {
                log.printf(Locale.ROOT, "starting from the weights of %s%s%n", initFrom,
                        numClasses != null ? " with a new " + numClasses + "-class head" : "");
            }
            try (Backend backend = device.open(err)) {
                log.printf(Locale.ROOT, "training %s on %s (%s, %d classes%s) on %s, %s, batch %d, seed %d; writing to %s%n",
                        s.model.describe(), splits.train().name(), sizes(splits, all, s.limit),
                        splits.train().numClasses(), limitNote(splits, s.limit), DeviceOptions.label(backend), describe(s.optimizer,
                                s.schedule != null ? s.schedule : "recorded schedule", s.epochs),
                        s.batchSize, s.seed, dir.path());
                if (!frozen.isEmpty()) {
                    log.println(dev.fovea.train.Freezing.describe(graph, s.freeze, frozen));
                }
                Trainer.Config cfg = Trainer.Config.builder(dir.path()).epochs(s.epochs).batchSize(s.batchSize)
                        .seed(s.seed).optimizer(s.optimizer).schedule(s.lrSchedule).normalization(s.normalization)
                        .augmentation(augmentation(s.augment)).onNonFinite(policy).terminal(System.console() != null)
                        .log(log).run(run).frozen(frozen).keep(s.keep).build();
                Trainer trainer = new Trainer(s.model, backend, splits, cfg);
                Trainer.Result r;
                try (StopOnSignal signals = StopOnSignal.install(trainer::requestStop, err)) {
                    r = ckpt != null ? trainer.run(ckpt, resumeFrom)
                            : initWeights != null ? trainer.runFrom(initWeights, initPath.toString()) : trainer.run(null);
                }
                log.printf(Locale.ROOT, "done: test accuracy %.2f%%, %.0f images/s; checkpoint %s; curves %s%n",
                        r.lastEvaluation().accuracy() * 100, r.imagesPerSecond(), r.lastCheckpoint(),
                        dir.path().resolve("loss.png"));
            }
        }
        return 0;
    }

    /** Every number and word of the command line, checked before any file or data set is read. */
    private Trainer.NonFinite validateArguments() {
        if (resume != null && initFrom != null) {
            throw new IllegalArgumentException("--init-from with --resume: --resume continues a run (its weights, optimiser "
                    + "state and epoch count), --init-from starts a new one from a checkpoint's weights; give one of them");
        }
        Args.atLeast("--epochs", epochs, 1);
        Args.atLeast("--batch-size", batchSize, 1);
        Args.atLeast("--limit", limit, 1);
        Args.atLeast("--keep", keep, 1);
        Args.atLeast("--num-classes", numClasses, 2);
        Args.positive("--lr", lr);
        Args.unit("--momentum", momentum);
        Args.nonNegative("--weight-decay", weightDecay);
        if (optimizer != null) {
            OptimizerSettings.defaultLr(optimizer);
        }
        if (schedule != null) {
            OptimizerSettings.schedule(schedule, 1);
        }
        if (augment != null) {
            augmentation(augment);
        }
        if (normalize != null) {
            Normalization.parse(normalize);
        }
        return switch (onNan.toLowerCase(Locale.ROOT)) {
            case "stop" -> Trainer.NonFinite.STOP;
            case "skip" -> Trainer.NonFinite.SKIP;
            default -> throw new IllegalArgumentException("--on-nan '" + onNan + "': expected stop or skip");
        };
    }

    private static String sizes(Splits used, Splits all, Integer limit) {
        return limit == null ? used.train().size() + " train / " + used.test().size() + " test images"
                : used.train().size() + " train / " + used.test().size() + " test images of " + all.train().size() + " / "
                + all.test().size();
    }

    /** For --limit: how evenly the subsets cover the classes, e.g. "; 51-52 / 12-13 per class". */
    private static String limitNote(Splits used, Integer limit) {
        return limit == null ? "" : "; class-balanced, " + range(used.train()) + " / " + range(used.test()) + " per class";
    }

    private static String range(Dataset d) {
        int[] counts = d.classCounts();
        int min = java.util.Arrays.stream(counts).min().orElse(0);
        int max = java.util.Arrays.stream(counts).max().orElse(0);
        return min == max ? Integer.toString(min) : min + "-" + max;
    }

    private static String describe(OptimizerConfig o, String schedule, int epochs) {
        StringBuilder b = new StringBuilder(o.name()).append(" lr ").append(o.lr());
        if (o instanceof dev.fovea.optim.Sgd sgd && sgd.momentum() > 0) {
            b.append(" momentum ").append(sgd.momentum()).append(sgd.nesterov() ? " nesterov" : "");
        }
        return b.append(", ").append(schedule).append(" schedule over ").append(epochs).append(epochs == 1 ? " epoch" : " epochs")
                .toString();
    }

    static Augmentation augmentation(String text) {
        if (text == null || text.isBlank() || text.equalsIgnoreCase("none")) {
            return Augmentation.NONE;
        }
        int crop = 0;
        boolean flip = false;
        for (String part : text.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.equals("flip")) {
                flip = true;
            } else if (p.matches("crop=\\d{1,4}")) {
                crop = Integer.parseInt(p.substring(5));
            } else {
                throw new IllegalArgumentException("--augment '" + text + "': expected crop=P (P >= 0) and/or flip, e.g. "
                        + "crop=4,flip, or none");
            }
        }
        return new Augmentation(crop, flip);
    }
}
