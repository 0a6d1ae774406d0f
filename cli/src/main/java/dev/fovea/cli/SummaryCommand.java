package dev.fovea.cli;

import dev.fovea.graph.Graph;
import dev.fovea.io.FileBytes;
import dev.fovea.io.Limits;
import dev.fovea.graph.MemoryPlan;
import dev.fovea.graph.Summary;
import dev.fovea.train.Checkpoint;
import dev.fovea.train.ModelSpec;
import dev.fovea.nn.Zoo;
import dev.fovea.onnx.OnnxImport;
import dev.fovea.train.CheckpointArgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * `fovea summary`: the layer table of a model (shapes, parameters, multiply-adds, receptive field)
 * and its memory plan. The model is a zoo name, a model file or a checkpoint (its sidecar suffices),
 * given as --model, like every other command, or positionally.
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Per layer: output shape, parameters, multiply-adds, receptive field and jump; totals and planned memory.")
public final class SummaryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "Zoo name, model file, ONNX file (.onnx), or checkpoint "
            + "(.json, or a run directory for its latest) (default mnist-cnn).")
    String positional;

    @Option(names = "--model", paramLabel = "MODEL", description = "The same as MODEL (default mnist-cnn).")
    String model;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N",
            description = "Batch size for the memory plan (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Args.atLeast("--batch-size", batchSize, 1);
        if (positional != null && model != null && !positional.equals(model)) {
            throw new IllegalArgumentException("summary: MODEL " + positional + " and --model " + model + " name two "
                    + "models; give one");
        }
        Graph g = spec(model != null ? model : positional != null ? positional : TrainCommand.DEFAULT_MODEL).graph();
        List<Summary.Row> rows = Summary.rows(g);
        out.printf(Locale.ROOT, "model %s, input %s%n", g.name(), g.input().shape());
        out.printf(Locale.ROOT, "%-28s %-20s %-20s %12s %14s %8s %6s%n", "layer", "op", "output", "params", "mult-adds",
                "RF", "jump");
        long params = 0;
        long macs = 0;
        for (Summary.Row r : rows) {
            out.printf(Locale.ROOT, "%-28s %-20s %-20s %,12d %,14d %8s %6s%n", r.name(), r.op(), r.shape(), r.params(),
                    r.macs(), r.rf() == null ? "-" : Long.toString(r.rf().size()),
                    r.rf() == null ? "-" : Long.toString(r.rf().jump()));
            params += r.params();
            macs += r.macs();
        }
        MemoryPlan plan = MemoryPlan.of(g, batchSize);
        out.printf(Locale.ROOT, "total: %,d parameters (%s), %,d multiply-adds per image (%.3f GFLOP)%n", params,
                mib(plan.parameterBytes()), macs, 2.0 * macs / 1e9);
        out.printf(Locale.ROOT, "planned activation memory at batch %d: inference peak %s, training %s%n", batchSize,
                mib(plan.inferencePeakBytes()), mib(plan.trainingBytes()));
        out.flush();
        return 0;
    }

    /** A zoo name, a model file, or a checkpoint's model (read from its sidecar alone). */
    private static ModelSpec spec(String text) throws IOException {
        if (Zoo.exists(text)) {
            return ModelSpec.parse(text);
        }
        Path p = Path.of(text);
        if (text.endsWith(".onnx")) {
            return new ModelSpec(null, OnnxImport.read(p).modelJson());
        }
        if (Files.isDirectory(p) || Files.isRegularFile(p) && !text.endsWith(".json") || isCheckpoint(p)) {
            return Checkpoint.sidecarModel(CheckpointArgs.resolve(p, "summary", false).path());
        }
        return ModelSpec.parse(text);
    }

    private static boolean isCheckpoint(Path p) {
        try {
            return Files.isRegularFile(p) && Files.size(p) <= Limits.SIDECAR_BYTES
                    && FileBytes.readText(p, Limits.SIDECAR_BYTES, "the limit for checkpoint sidecars")
                    .contains("\"" + Checkpoint.FORMAT + "\"");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
    }
}
