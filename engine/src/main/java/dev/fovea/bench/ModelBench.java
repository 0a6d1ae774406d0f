package dev.fovea.bench;

import dev.fovea.backend.Backend;
import dev.fovea.graph.BatchNormFolding;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.MemoryPlan;
import dev.fovea.graph.Parameters;
import dev.fovea.primitives.LossKind;
import dev.fovea.optim.Sgd;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Optimizer;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Whole-model throughput on one backend, on random images and labels: a training step (forward,
 * cross-entropy, backward, SGD with momentum 0.9, as {@code fovea train} does by default) and an
 * inference pass as {@code predict} and {@code eval} run it (batch norm folded into the convolutions),
 * in images/s, with the memory plan's bytes and, on the GPU, the allocator's peak; and on request
 * where each pass spends its time, per op kind ({@link OpProfile}).
 */
public final class ModelBench {
    /** Training steps (after the timed, warmed-up ones) whose GPU activity is counted and averaged. */
    static final int ACTIVITY_STEPS = 3;

    private ModelBench() {
    }

    public static List<Measurement> run(Graph graph, Backend backend, int batchSize, OpTimer timer) {
        return run(graph, backend, batchSize, timer, 0, p -> {
        });
    }

    /**
     * As {@link #run(Graph, Backend, int, OpTimer)}; with {@code profileRuns} above 0, afterwards profiles
     * that many inference passes and training steps and hands each {@link OpProfile} to {@code profiles}.
     */
    public static List<Measurement> run(Graph graph, Backend backend, int batchSize, OpTimer timer, int profileRuns,
                                        Consumer<OpProfile> profiles) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("bench model: --batch-size must be >= 1, got " + batchSize);
        }
        Shape images = graph.input().shape().withDim(0, batchSize);
        Shape out = graph.outputShape();
        int classes = out.dim(out.rank() - 1);
        MemoryPlan plan = MemoryPlan.of(graph, batchSize);
        Clock clock = Clock.of(backend);
        Decisions decisions = new Decisions(backend);
        String name = graph.name() + " batch " + batchSize;
        try (Parameters params = Parameters.initialize(graph, backend, 1);
             Optimizer opt = new Optimizer(new Sgd(0.01, 0.9, 0, false, 0), backend);
             RandomInputs in = new RandomInputs(backend, 2)) {
            Executor exec = new Executor(graph, params);
            Tensor x = in.random(images);
            Tensor y = in.labels(batchSize, classes);
            OpTimer.Timing train = timer.time(name, 0, () -> trainingStep(backend, exec, opt, x, y), clock);
            String trainEngine = decisions.sinceLastMark();
            // Counted straight after the timed steps, in their steady state: the folded inference graph
            // below brings its own parameters and buffer sizes into the device allocator.
            StepActivity activity = StepActivity.measure(backend, ACTIVITY_STEPS,
                    () -> trainingStep(backend, exec, opt, x, y)).orElse(null);
            BatchNormFolding.Folded folded = BatchNormFolding.fold(graph, params.toHost());
            try (Parameters inferParams = Parameters.fromHost(folded.graph(), backend, folded.params())) {
                Executor inferExec = new Executor(folded.graph(), inferParams);
                OpTimer.Timing infer = timer.time(name, 0, () -> inferExec.infer(x).close(), clock);
                String inferEngine = decisions.sinceLastMark();
                long peak = backend.peakBytes().orElse(-1);
                Measurement.Memory mem = new Measurement.Memory(batchSize, plan.trainingBytes(),
                        plan.inferencePeakBytes(), plan.parameterBytes(), peak);
                List<Measurement> results = List.of(
                        Measurement.of(name, "train", backend.name(), train, Rate.IMAGES_PER_S, batchSize, trainEngine,
                                mem, activity),
                        Measurement.of(name, "infer", backend.name(), infer, Rate.IMAGES_PER_S, batchSize, inferEngine,
                                mem));
                if (profileRuns > 0) {
                    profiles.accept(OpProfile.measure(name, "infer", backend, inferExec, profileRuns,
                            () -> inferExec.infer(x).close()));
                    profiles.accept(OpProfile.measure(name, "train", backend, exec, profileRuns,
                            () -> trainingStep(backend, exec, opt, x, y)));
                }
                return results;
            }
        }
    }

    private static void trainingStep(Backend b, Executor exec, Optimizer opt, Tensor x, Tensor y) {
        Tensor logits = exec.forward(x);
        Map<String, Tensor> grads;
        try (Tensor loss = b.loss(LossKind.CROSS_ENTROPY, logits, y);
             Tensor dOut = b.lossBackward(LossKind.CROSS_ENTROPY, logits, y, 1f)) {
            // The trainer reads every loss back (progress bar, NaN policy); so does the benchmark.
            b.download(loss);
            grads = exec.backward(dOut);
        }
        for (Map.Entry<String, Tensor> g : grads.entrySet()) {
            opt.step(g.getKey(), exec.params().get(g.getKey()), g.getValue());
            g.getValue().close();
        }
    }
}
