package dev.fovea.cli;

import dev.fovea.graph.Graph;
import dev.fovea.graph.MemoryPlan;
import dev.fovea.graph.Summary;
import dev.fovea.train.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `fovea summary`: the layer table of a model (shapes, parameters, multiply-adds, receptive field) and its memory plan. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Per layer: output shape, parameters, multiply-adds, receptive field and jump; totals and planned memory.")
public final class SummaryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", defaultValue = "mnist-cnn", paramLabel = "MODEL", description = "Zoo name or model file (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch-size", defaultValue = "64", description = "Batch size for the memory plan (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() {
        Arguments.positive("--batch-size", batchSize);
        PrintWriter out = spec.commandLine().getOut();
        Graph g = ModelSpec.parse(model).graph();
        List<Summary.Row> rows = Summary.rows(g);
        out.printf(Locale.ROOT, "model %s, input %s%n", g.name(), g.input().shape());
        out.printf(Locale.ROOT, "%-28s %-18s %-20s %12s %14s %8s %6s%n", "layer", "op", "output", "params", "mult-adds",
                "RF", "jump");
        long params = 0;
        long macs = 0;
        for (Summary.Row r : rows) {
            out.printf(Locale.ROOT, "%-28s %-18s %-20s %,12d %,14d %8s %6s%n", r.name(), r.op(), r.shape(), r.params(),
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

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
    }
}
