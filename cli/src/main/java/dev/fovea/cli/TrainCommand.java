package dev.fovea.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.backend.Backend;
import dev.fovea.data.Augmentation;
import dev.fovea.data.DataSources;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.train.Checkpoint;
import dev.fovea.train.ModelSpec;
import dev.fovea.train.OptimizerSettings;
import dev.fovea.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * `fovea train`: trains a zoo model or a model file on a data set, with a progress bar per epoch,
 * evaluation and a checkpoint after each epoch, and the curves as CSV and PNG. With no arguments it
 * trains mnist-cnn on the embedded MNIST digits. Ctrl-C (or SIGTERM) finishes the batch, writes a
 * checkpoint that --resume continues from that very batch, and exits with status 130.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model. With no arguments: mnist-cnn on the embedded 10k MNIST digits, 4 epochs.")
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "mnist-cnn", description = "Zoo model name or model file (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--data", defaultValue = EmbeddedDatasets.MNIST_DIGITS,
            description = "mnist-digits (embedded), or a directory of IDX files, CIFAR-10 batches, or train/ and test/ "
                    + "image folders (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--epochs", defaultValue = "4", description = "Total epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Default ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd, adagrad, adadelta, rmsprop, adam, adamw (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", defaultValue = "0.05", description = "Learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD/RMSProp momentum (default ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--nesterov", description = "SGD: Nesterov momentum.")
    boolean nesterov;

    @Option(names = "--weight-decay", defaultValue = "0", description = "Default ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "cosine", paramLabel = "constant|step:N:G|cosine[:T]",
            description = "Learning-rate schedule (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--normalize", paramLabel = "MEAN,STD",
            description = "Per-channel normalisation after scaling to [0,1], e.g. 0.1307,0.3081 (recorded in checkpoints).")
    String normalize;

    @Option(names = "--augment", defaultValue = "crop=2", paramLabel = "crop=P,flip|none",
            description = "Training augmentation: random crop with padding P and/or horizontal flip (default ${DEFAULT-VALUE}).")
    String augment;

    @Option(names = "--seed", defaultValue = "1", description = "Seeds weights, order, augmentation, dropout (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "runs/latest",
            description = "Output directory (default ${DEFAULT-VALUE}; with --resume, the checkpoint's directory).")
    Path out;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "Continue from a checkpoint (its .json or .safetensors).")
    Path resume;

    @Option(names = "--limit", defaultValue = "-1", paramLabel = "N", description = "Use only the first N training and N/4 test images (quick runs).")
    int limit;

    @Option(names = "--on-nan", defaultValue = "stop", paramLabel = "stop|skip",
            description = "On a non-finite loss: stop (keeping the last good checkpoint) or skip the batch (default ${DEFAULT-VALUE}).")
    String onNan;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        Checkpoint ckpt = resume == null ? null : Checkpoint.read(resume);
        ModelSpec modelSpec = ckpt != null ? ckpt.model() : ModelSpec.parse(model);
        OptimizerConfig opt;
        LrSchedule sched;
        Normalization norm;
        long runSeed = seed;
        ObjectNode run = new ObjectMapper().createObjectNode();
        if (ckpt != null) {
            // A resumed run continues with the settings it was started with.
            opt = OptimizerSettings.fromJson(ckpt.optimizer());
            sched = OptimizerSettings.scheduleFromJson(ckpt.optimizer());
            norm = ckpt.normalization();
            runSeed = ckpt.seed();
            ObjectNode was = ckpt.run();
            data = was.path("data").asText(data);
            batchSize = was.path("batch_size").asInt(batchSize);
            augment = was.hasNonNull("augment") ? was.get("augment").asText() : null;
            limit = was.path("limit").asInt(limit);
            if (!spec.commandLine().getParseResult().hasMatchedOption("--out")) {
                out = resume.toAbsolutePath().getParent();
            }
            log.printf(Locale.ROOT, "resuming %s from %s (epoch %d done%s)%n", modelSpec.describe(), resume, ckpt.epoch(),
                    ckpt.position().atStart() ? "" : ", and batch " + ckpt.position().batch() + " of epoch " + (ckpt.epoch() + 1));
        } else {
            opt = OptimizerSettings.of(optimizer, lr, momentum, nesterov, weightDecay);
            sched = OptimizerSettings.schedule(schedule, epochs);
            norm = normalize == null ? null : Normalization.parse(normalize);
        }
        run.put("data", data).put("batch_size", batchSize).put("augment", augment).put("limit", limit);
        Splits splits = DataSources.open(data, LoadedModel.folderSize(modelSpec.graph()));
        if (limit > 0) {
            splits = new Splits(splits.train().first(limit), splits.test().first(Math.max(1, limit / 4)));
        }
        Trainer.NonFinite policy = switch (onNan.toLowerCase(Locale.ROOT)) {
            case "stop" -> Trainer.NonFinite.STOP;
            case "skip" -> Trainer.NonFinite.SKIP;
            default -> throw new IllegalArgumentException("--on-nan '" + onNan + "': expected stop or skip");
        };
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            log.printf(Locale.ROOT, "training %s on %s (%d train / %d test images, %d classes) on %s, %s lr %s, "
                            + "batch %d, seed %d%n", modelSpec.describe(), splits.train().name(), splits.train().size(),
                    splits.test().size(), splits.train().numClasses(), DeviceOptions.label(backend), opt.name(), opt.lr(),
                    batchSize,
                    runSeed);
            Trainer.Config cfg = new Trainer.Config(epochs, batchSize, runSeed, opt, sched, norm, augmentation(augment),
                    out, policy, System.console() != null, log, run);
            Trainer trainer = new Trainer(modelSpec, backend, splits, cfg);
            Trainer.Result r;
            try (StopOnSignal signals = StopOnSignal.install(trainer::requestStop, spec.commandLine().getErr())) {
                r = trainer.run(ckpt, resume);
            }
            if (r.lastCheckpoint() == null) {
                log.printf(Locale.ROOT, "nothing to do: the checkpoint already has %d epochs (ask for more with --epochs)%n",
                        epochs);
                return 0;
            }
            log.printf(Locale.ROOT, "done: test accuracy %.2f%%, %.0f images/s; checkpoint %s; curves %s%n",
                    r.lastEvaluation().accuracy() * 100, r.imagesPerSecond(), r.lastCheckpoint(),
                    out.resolve("loss.png"));
        }
        return 0;
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
            } else if (p.startsWith("crop=")) {
                crop = Integer.parseInt(p.substring(5));
            } else {
                throw new IllegalArgumentException("--augment '" + text + "': expected crop=P and/or flip, e.g. crop=4,flip");
            }
        }
        return new Augmentation(crop, flip);
    }
}
