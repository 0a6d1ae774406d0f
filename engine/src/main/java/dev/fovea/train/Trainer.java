package dev.fovea.train;

import dev.fovea.backend.Backend;
import dev.fovea.data.Augmentation;
import dev.fovea.data.Batch;
import dev.fovea.data.BatchIterator;
import dev.fovea.data.DataLoader;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.MemoryPlan;
import dev.fovea.graph.Parameters;
import dev.fovea.io.StoredTensor;
import dev.fovea.primitives.LossKind;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.OptimizerConfig;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Trains a model: mini-batch epochs with softmax cross-entropy, evaluation on the test split after
 * each epoch, a checkpoint per epoch, and the curves as CSV and PNG. Everything random (weights,
 * sample order, augmentation, dropout) derives from one seed and the epoch/step counters, so a run
 * resumed from an epoch-k checkpoint continues exactly as the uninterrupted run would. A stop request
 * ({@link #requestStop}, from Ctrl-C) ends the run after the current batch with a checkpoint that
 * resumes from the next batch; a non-finite loss or gradient updates nothing and either stops the run,
 * naming the first layer that produced a non-finite value, or skips the batch.
 */
public final class Trainer {

    /** What to do when a batch's loss is NaN or infinite. */
    public enum NonFinite { STOP, SKIP }

    /**
     * How to train. {@code frozen} names parameters that stay as they are (see {@link Executor#freeze});
     * {@code keep} > 0 keeps only the last {@code keep} epoch checkpoints (0 keeps every one).
     */
    public record Config(int epochs, int batchSize, long seed, OptimizerConfig optimizer, LrSchedule schedule,
                         Normalization normalization, Augmentation augmentation, Path outDir, NonFinite onNonFinite,
                         boolean terminal, PrintWriter log, com.fasterxml.jackson.databind.node.ObjectNode run,
                         Set<String> frozen, int keep) {
        public Config {
            if (epochs < 1) {
                throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
            }
            if (keep < 0) {
                throw new IllegalArgumentException("--keep must be >= 1, got " + keep);
            }
            frozen = Set.copyOf(frozen);
        }

        /** Every parameter trained, every checkpoint kept. */
        public Config(int epochs, int batchSize, long seed, OptimizerConfig optimizer, LrSchedule schedule,
                      Normalization normalization, Augmentation augmentation, Path outDir, NonFinite onNonFinite,
                      boolean terminal, PrintWriter log, com.fasterxml.jackson.databind.node.ObjectNode run) {
            this(epochs, batchSize, seed, optimizer, schedule, normalization, augmentation, outDir, onNonFinite, terminal,
                    log, run, Set.of(), 0);
        }

        /** A builder writing into {@code outDir}, for code that has no command line to record (see {@link Builder}). */
        public static Builder builder(Path outDir) {
            return new Builder(outDir);
        }
    }

    /**
     * Builds a {@link Config} from what is given and defaults for the rest: 4 epochs, batch 64, seed
     * 1, SGD with its defaults ({@link OptimizerSettings#of}), a cosine schedule over the epochs, no
     * normalisation, no augmentation, every parameter trained, every checkpoint kept, stop on a
     * non-finite loss, no log, and no progress bar. The checkpoints' "run" record (the command line's
     * settings, which --resume takes up) is empty unless {@link #run} gives one.
     */
    public static final class Builder {
        private final Path outDir;
        private int epochs = 4;
        private int batchSize = 64;
        private long seed = 1;
        private OptimizerConfig optimizer = OptimizerSettings.of("sgd", null, null, false, null);
        private LrSchedule schedule;
        private Normalization normalization;
        private Augmentation augmentation = Augmentation.NONE;
        private NonFinite onNonFinite = NonFinite.STOP;
        private PrintWriter log = new PrintWriter(java.io.OutputStream.nullOutputStream());
        private boolean terminal;
        private com.fasterxml.jackson.databind.node.ObjectNode run =
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        private Set<String> frozen = Set.of();
        private int keep;

        private Builder(Path outDir) {
            this.outDir = outDir;
        }

        public Builder epochs(int n) {
            epochs = n;
            return this;
        }

        public Builder batchSize(int n) {
            batchSize = n;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public Builder optimizer(OptimizerConfig o) {
            optimizer = o;
            return this;
        }

        /** The learning-rate schedule (default: a cosine over the epochs). */
        public Builder schedule(LrSchedule s) {
            schedule = s;
            return this;
        }

        public Builder normalization(Normalization n) {
            normalization = n;
            return this;
        }

        public Builder augmentation(Augmentation a) {
            augmentation = a;
            return this;
        }

        public Builder onNonFinite(NonFinite policy) {
            onNonFinite = policy;
            return this;
        }

        /** Where progress lines and per-epoch summaries go (default nowhere). */
        public Builder log(PrintWriter w) {
            log = w;
            return this;
        }

        /** Whether the log is a terminal, where the progress bar redraws one line. */
        public Builder terminal(boolean isTerminal) {
            terminal = isTerminal;
            return this;
        }

        /** What checkpoints record of the command line under "run". */
        public Builder run(com.fasterxml.jackson.databind.node.ObjectNode settings) {
            run = settings;
            return this;
        }

        public Builder frozen(Set<String> parameters) {
            frozen = parameters;
            return this;
        }

        public Builder keep(int lastN) {
            keep = lastN;
            return this;
        }

        public Config build() {
            return new Config(epochs, batchSize, seed, optimizer,
                    schedule != null ? schedule : OptimizerSettings.schedule("cosine", Math.max(1, epochs)), normalization,
                    augmentation, outDir, onNonFinite, terminal, log, run, frozen, keep);
        }
    }

    /**
     * The outcome: curves, the last checkpoint's sidecar, the last evaluation, skipped batches, and
     * the trained weights (on the host, by parameter name).
     */
    public record Result(History history, Path lastCheckpoint, Evaluation lastEvaluation, int skippedBatches,
                         double imagesPerSecond, Map<String, float[]> weights) {
    }

    private final ModelSpec spec;
    private final Graph graph;
    private final Backend backend;
    private final Splits data;
    private final Config cfg;
    private volatile String stopReason;
    private Consumer<History.Epoch> onEpoch = e -> { };

    public Trainer(ModelSpec spec, Backend backend, Splits data, Config cfg) {
        this.spec = spec;
        this.graph = spec.graph();
        this.backend = backend;
        this.data = data;
        this.cfg = cfg;
        checkFits(graph, data.train());
    }

    /**
     * The model's input and output must fit the data set: its input the images, and one output per
     * class, neither more (predictions of classes the data has not, and a confusion matrix they do
     * not fit) nor fewer (classes it could never name).
     */
    public static void checkFits(Graph g, Dataset d) {
        checkInput(g, d);
        checkOutputs(g, d);
    }

    /** One output per class of {@code d}, or one line with the remedy (a new classifier head). */
    public static void checkOutputs(Graph g, Dataset d) {
        int outputs = g.outputShape().dim(-1);
        if (outputs != d.numClasses()) {
            throw new IllegalArgumentException("model '" + g.name() + "' has " + outputs + " outputs but data set '"
                    + d.name() + "' has " + d.numClasses() + " classes (" + classList(d.classNames()) + "): give --num-classes "
                    + d.numClasses() + " for a new classifier head (with --init-from CHECKPOINT to keep trained weights)");
        }
    }

    /** The model's input must be the data set's images. */
    public static void checkInput(Graph g, Dataset d) {
        Shape want = g.input().shape();
        Shape have = Shape.of(1, d.channels(), d.height(), d.width());
        if (!want.equals(have)) {
            throw new IllegalArgumentException("model '" + g.name() + "' expects input " + want + " (batch 1) but data set '"
                    + d.name() + "' has images " + have);
        }
    }

    /** Class names for a message: all of them, or the first eight and how many more. */
    public static String classList(java.util.List<String> names) {
        return names.size() <= 8 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 8)) + ", ... " + (names.size() - 8) + " more";
    }

    /**
     * Asks a running {@link #run} to stop at the next batch boundary: it finishes the batch, writes a
     * checkpoint with the batch position and throws {@link TrainingInterrupted}. Safe to call from any
     * thread (a signal handler); {@code why} goes into the message, e.g. "interrupted (Ctrl-C)".
     */
    public void requestStop(String why) {
        stopReason = why;
    }

    /** Calls {@code listener} with each epoch's row of the history as soon as the epoch's checkpoint is written. */
    public void onEpoch(Consumer<History.Epoch> listener) {
        onEpoch = listener;
    }

    private boolean stopRequested() {
        return stopReason != null;
    }

    /** Trains from scratch, or from {@code resume} (null for a fresh run). */
    public Result run(Checkpoint resume) throws IOException {
        return run(resume, null);
    }

    /**
     * Trains from scratch, or from {@code resume} read from {@code resumePath} (named in messages as
     * the last good checkpoint until this run writes one).
     */
    public Result run(Checkpoint resume, Path resumePath) throws IOException {
        if (resume == null) {
            return run(Parameters.initialValues(graph, cfg.seed()), null, null, null);
        }
        return run(resume.weightsFor(graph, "--resume"), resume, resumePath,
                resumePath == null ? "--resume" : resumePath.toString());
    }

    /**
     * A new run (epoch 1, fresh optimiser) from given weights, e.g. a checkpoint's for fine-tuning;
     * {@code weights} must hold every parameter of the model.
     */
    public Result runFrom(Map<String, float[]> weights) throws IOException {
        return runFrom(weights, "--init-from");
    }

    /** {@link #runFrom(Map)} with weights read from {@code source}, named in warnings about non-finite values. */
    public Result runFrom(Map<String, float[]> weights, String source) throws IOException {
        return run(weights, null, null, source);
    }

    /** {@code loadedFrom}: where {@code weights} were read (their non-finite values are warned about), null when initialised. */
    private Result run(Map<String, float[]> weights, Checkpoint resume, Path resumePath, String loadedFrom)
            throws IOException {
        Files.createDirectories(cfg.outDir());
        checkMemory();
        if (loadedFrom != null) {
            for (String w : Checkpoint.nonFiniteWarnings(weights, loadedFrom)) {
                cfg.log().println("warning: " + w);
            }
        }
        // The weights and optimiser state leave the device when the run ends: a library may train one
        // backend many times (the trained weights are in the Result and the checkpoints).
        try (Parameters params = Parameters.fromHost(graph, backend, weights);
             Optimizer opt = new Optimizer(cfg.optimizer(), cfg.schedule(), backend)) {
            Executor exec = new Executor(graph, params);
            exec.freeze(cfg.frozen());
            return train(exec, opt, resume, resumePath);
        }
    }

    /** The epochs from {@code resume}'s position (or the start), with weights and optimiser on the backend. */
    private Result train(Executor exec, Optimizer opt, Checkpoint resume, Path resumePath) throws IOException {
        int startEpoch = resume == null ? 0 : resume.epoch();
        EpochPosition startAt = resume == null ? EpochPosition.START : resume.position();
        History history = new History();
        long globalStep = 0;
        if (resume != null) {
            restoreOptimizer(opt, resume);
            resume.history().forEach(history::add);
            globalStep = resume.globalStep();
        }
        DataLoader train = new DataLoader(data.train(), DataLoader.Options.training(cfg.batchSize(), cfg.seed(),
                cfg.augmentation(), cfg.normalization()));
        DataLoader test = new DataLoader(data.test(), DataLoader.Options.evaluation(Math.max(cfg.batchSize(), 256),
                cfg.normalization()));
        Path last = null;
        Path lastGood = resume == null ? null : resumePath;
        Evaluation eval = null;
        int skipped = 0;
        double rate = 0;
        for (int epoch = startEpoch; epoch < cfg.epochs(); epoch++) {
            EpochPosition at = epoch == startEpoch ? startAt : EpochPosition.START;
            opt.setEpoch(epoch);
            Progress progress = new Progress(cfg.log(), cfg.terminal(),
                    String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, cfg.epochs()), train.batchesPerEpoch());
            double lossSum = at.lossSum();
            long counted = at.counted();
            long correct = at.correct();
            int skippedHere = at.skipped();
            long images = 0;
            long t0 = System.nanoTime();
            try (BatchIterator it = train.epoch(epoch)) {
                for (int b = 0; it.hasNext(); b++) {
                    Batch batch = it.next();
                    if (b < at.batch()) {
                        continue; // trained before the interruption; the loader rebuilds it from (seed, epoch, b)
                    }
                    Step done = step(exec, opt, batch, globalStep, epoch, b, lastGood);
                    globalStep++;
                    images += batch.size();
                    if (done == null) {
                        skipped++;
                        skippedHere++;
                    } else {
                        lossSum += done.loss() * batch.size();
                        counted += batch.size();
                        correct += done.correct();
                    }
                    progress.update(b + 1, images, counted == 0 ? Double.NaN : lossSum / counted,
                            counted == 0 ? Double.NaN : (double) correct / counted);
                    TestPause.afterBatch(epoch + 1, b + 1, this::stopRequested);
                    if (stopRequested()) {
                        Path ckpt = checkpoint(exec, opt, epoch,
                                new EpochPosition(b + 1, lossSum, counted, skippedHere, correct), globalStep, history, lastGood);
                        throw interrupted(ckpt, String.format(Locale.ROOT, "epoch %d, batch %d of %d", epoch + 1, b + 1,
                                train.batchesPerEpoch()));
                    }
                }
            }
            rate = images / ((System.nanoTime() - t0) / 1e9);
            eval = Evaluation.run(exec, test, data.test().numClasses());
            double trainAccuracy = counted == 0 ? Double.NaN : (double) correct / counted;
            History.Epoch row = new History.Epoch(epoch + 1, counted == 0 ? Double.NaN : lossSum / counted, eval.loss(),
                    eval.accuracy(), rate, opt.currentLr(), trainAccuracy);
            history.add(row);
            last = checkpoint(exec, opt, epoch + 1, EpochPosition.START, globalStep, history, lastGood);
            lastGood = last;
            prune(epoch + 1);
            history.writeCsv(cfg.outDir().resolve("history.csv"));
            history.writeCharts(cfg.outDir().resolve("loss.png"), cfg.outDir().resolve("accuracy.png"));
            cfg.log().printf(Locale.ROOT, "epoch %d: train loss %.4f, train accuracy %.2f%%, test loss %.4f, "
                            + "test accuracy %.2f%%, %.0f img/s%s%n", epoch + 1, lossSum / Math.max(1, counted),
                    trainAccuracy * 100, eval.loss(), eval.accuracy() * 100, rate,
                    skippedHere > 0 ? ", " + skippedHere + " non-finite batches skipped" : "");
            onEpoch.accept(row);
            if (stopRequested() && epoch + 1 < cfg.epochs()) {
                throw interrupted(last, String.format(Locale.ROOT, "the end of epoch %d", epoch + 1));
            }
        }
        return new Result(history, last, eval, skipped, rate, exec.params().toHost());
    }

    private TrainingInterrupted interrupted(Path ckpt, String where) {
        String resumeWith = "fovea train --resume " + ckpt + " --epochs " + cfg.epochs();
        String msg = String.format(Locale.ROOT, "%s: stopped after %s; checkpoint %s written. Continue with: %s",
                stopReason, where, ckpt, resumeWith);
        return new TrainingInterrupted(msg, ckpt);
    }

    /**
     * Mid-epoch checkpoints of epochs now complete are no longer needed (the epoch's checkpoint holds
     * everything they did and more), nor epochs before the last {@code keep}. A file that cannot be
     * removed costs disk space, not correctness: it is reported and training goes on.
     */
    private void prune(int epochsDone) {
        try {
            CheckpointFiles.prune(cfg.outDir(), epochsDone, cfg.keep());
        } catch (IOException e) {
            cfg.log().println("fovea: note: could not remove an old checkpoint in " + cfg.outDir() + ": "
                    + CheckpointWriteFailed.reason(e));
        }
    }

    /** A trained batch: its loss and how many of its images the model classified correctly. */
    private record Step(float loss, int correct) {
    }

    /**
     * One optimisation step; returns the batch's loss and correct count. A non-finite loss or
     * gradient updates nothing: it stops training (with where the first non-finite value appeared)
     * or, with the skip policy, returns null.
     *
     * <p>The loss, the correct count and the gradients' finiteness check are computed where the
     * tensors live and read together, after the backward pass: on a GPU the step then waits for the
     * device once and copies back a few floats, not the logits. (A non-finite loss thus costs a
     * backward pass whose gradients are discarded; it ends or skips the step either way.)
     */
    private Step step(Executor exec, Optimizer opt, Batch batch, long globalStep, int epoch, int b, Path lastGood) {
        try (Tensor x = backend.upload(batch.shape(), batch.images());
             Tensor y = backend.upload(Shape.of(batch.size()), Evaluation.labelsAsFloats(batch.labels()))) {
            exec.seed(cfg.seed(), globalStep);
            Tensor out = exec.forward(x);
            float loss;
            int correct;
            Map<String, Tensor> grads;
            boolean gradsFinite;
            try (Tensor l = backend.loss(LossKind.CROSS_ENTROPY, out, y);
                 Tensor hits = backend.countCorrect(out, y)) {
                try (Tensor dOut = backend.lossBackward(LossKind.CROSS_ENTROPY, out, y, 1f)) {
                    grads = exec.backward(dOut);
                }
                try (Tensor squares = Finiteness.deviceSumOfSquares(backend, grads.values())) {
                    List<float[]> read = backend.downloadAll(squares == null ? List.of(l, hits) : List.of(l, hits, squares));
                    loss = read.get(0)[0];
                    correct = (int) read.get(1)[0];
                    gradsFinite = Finiteness.allFinite(backend, grads.values(), squares == null ? 0f : read.get(2)[0]);
                } catch (RuntimeException | Error e) {
                    grads.values().forEach(Tensor::close);
                    throw e;
                }
            }
            if (Float.isFinite(loss) && gradsFinite) {
                for (Map.Entry<String, Tensor> g : grads.entrySet()) {
                    opt.step(g.getKey(), exec.params().get(g.getKey()), g.getValue());
                    g.getValue().close();
                }
                return new Step(loss, correct);
            }
            grads.values().forEach(Tensor::close);
            String what = !Float.isFinite(loss) ? "loss became " + loss
                    : String.format(Locale.ROOT, "gradients became non-finite (loss %.4f)", loss);
            exec.seed(cfg.seed(), globalStep);
            String first = NonFiniteSearch.locate(exec, backend, x, y);
            if (cfg.onNonFinite() == NonFinite.STOP) {
                throw new TrainingStopped(String.format(Locale.ROOT, "training stopped: %s at epoch %d, batch %d; "
                        + "first non-finite value: %s; the last good checkpoint is %s (resume with --resume, perhaps "
                        + "with a lower --lr, or use --on-nan skip)", what, epoch + 1, b + 1, first,
                        lastGood != null ? lastGood : "none (no epoch completed yet)"));
            }
            cfg.log().printf(Locale.ROOT, "skipped epoch %d, batch %d: %s; first non-finite value: %s%n", epoch + 1,
                    b + 1, what, first);
            return null;
        }
    }

    private Path checkpoint(Executor exec, Optimizer opt, int epochsDone, EpochPosition position, long globalStep,
                            History history, Path lastGood) throws IOException {
        Map<String, StoredTensor> optState = new LinkedHashMap<>();
        Map<String, Long> steps = new LinkedHashMap<>();
        for (String p : opt.parameters()) {
            Shape s = graph.params().get(p).shape();
            opt.state(p).forEach((buf, v) -> optState.put(p + "/" + buf, StoredTensor.f32(s, v)));
            steps.put(p, opt.steps(p));
        }
        Checkpoint c = new Checkpoint(spec, Checkpoint.stored(graph, exec.params().toHost()), optState, steps,
                OptimizerSettings.toJson(cfg.optimizer(), cfg.schedule()), epochsDone, cfg.seed(), globalStep,
                cfg.normalization(), data.train().classNames(), history.rows(), cfg.run(), position);
        String stem = position.atStart() ? String.format(Locale.ROOT, "epoch-%03d", epochsDone)
                : String.format(Locale.ROOT, "epoch-%03d-batch-%04d", epochsDone + 1, position.batch());
        try {
            return c.write(cfg.outDir().resolve(stem));
        } catch (CheckpointWriteFailed e) {
            throw e.withLastGood(lastGood);
        }
    }

    private void restoreOptimizer(Optimizer opt, Checkpoint c) {
        for (Map.Entry<String, Long> e : c.optimizerSteps().entrySet()) {
            String p = e.getKey();
            Map<String, float[]> buffers = new LinkedHashMap<>();
            for (String buf : cfg.optimizer().stateNames()) {
                StoredTensor t = c.optimizerState().get(p + "/" + buf);
                if (t != null) {
                    buffers.put(buf, t.values());
                }
            }
            if (!graph.params().containsKey(p)) {
                throw new IllegalArgumentException("--resume: optimizer state for '" + p + "', which model '"
                        + graph.name() + "' does not have");
            }
            opt.restore(p, graph.params().get(p).shape(), e.getValue(), buffers);
        }
    }

    /** Refuses, before the first batch, a batch size whose planned activations cannot fit the heap. */
    private void checkMemory() {
        if (backend.device().kind() != dev.fovea.tensor.Device.Kind.CPU) {
            return;
        }
        checkMemory(graph, Math.min(cfg.batchSize(), data.train().size()), cfg.optimizer().stateNames().size(),
                Runtime.getRuntime().maxMemory());
    }

    /**
     * Throws if training {@code graph} with {@code batch} images per batch and {@code stateBuffers}
     * optimiser buffers per parameter needs more than 90% of {@code maxHeap} bytes by the executor's
     * memory plan (the rest is the data set and the JVM's own).
     */
    static void checkMemory(Graph graph, int batch, int stateBuffers, long maxHeap) {
        MemoryPlan plan = MemoryPlan.of(graph, batch);
        long optimizerBytes = plan.parameterBytes() * stateBuffers;
        long need = plan.trainingBytes() + plan.parameterBytes() + optimizerBytes;
        if (need > maxHeap * 0.9) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "model '%s' with --batch-size %d needs about "
                    + "%.1f GiB for training (activations %.1f GiB, parameters and optimiser state %.1f GiB) but the "
                    + "JVM may use %.1f GiB: lower --batch-size or raise -Xmx (FOVEA_JAVA_OPTS)", graph.name(),
                    batch, need / 1073741824.0, plan.trainingBytes() / 1073741824.0,
                    (plan.parameterBytes() + optimizerBytes) / 1073741824.0, maxHeap / 1073741824.0));
        }
    }

    /**
     * Refuses, before anything is allocated for it, inference of {@code graph} at {@code batch} images
     * whose planned memory cannot fit the heap (on CPU backends, where activations live on the heap):
     * a model file can declare activations of gigabytes with almost no weights.
     */
    public static void checkInferenceMemory(Backend backend, Graph graph, int batch) {
        if (backend.device().kind() == dev.fovea.tensor.Device.Kind.CPU) {
            checkInferenceMemory(graph, batch, Runtime.getRuntime().maxMemory());
        }
    }

    /**
     * Throws if running {@code graph} on {@code batch} images needs more than 90% of {@code maxHeap}
     * by the memory plan: the inference peak of activations plus three copies of the parameters (as
     * read, with batch norm folded, and on the backend).
     */
    static void checkInferenceMemory(Graph graph, int batch, long maxHeap) {
        MemoryPlan plan = MemoryPlan.of(graph, batch);
        long need = plan.inferencePeakBytes() + 3 * plan.parameterBytes();
        if (need > maxHeap * 0.9) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "model '%s' needs about %.1f GiB to run %d "
                    + "image%s (activations %.1f GiB, parameters %.1f GiB) but the JVM may use %.1f GiB: %sraise -Xmx "
                    + "(FOVEA_JAVA_OPTS)", graph.name(), need / 1073741824.0, batch, batch == 1 ? "" : "s at a time",
                    plan.inferencePeakBytes() / 1073741824.0, 3 * plan.parameterBytes() / 1073741824.0,
                    maxHeap / 1073741824.0, batch > 1 ? "lower --batch-size or " : ""));
        }
    }

    public Graph graph() {
        return graph;
    }
}
