package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.data.DataLoader;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `fovea eval`: accuracy, loss and confusion matrix of a checkpoint on a data set's test split. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint on a test split: accuracy, loss, confusion matrix.")
public final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint written by train (.json or .safetensors).")
    Path checkpoint;

    @Option(names = "--data", defaultValue = EmbeddedDatasets.MNIST_DIGITS, description = "Data set whose test split is used (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--batch-size", defaultValue = "256")
    int batchSize;

    @Mixin
    WeightsOptions weights;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            LoadedModel m = weights.load(checkpoint, backend);
            Dataset test = DataSources.open(data, LoadedModel.folderSize(m.graph())).test();
            dev.fovea.train.Trainer.checkFits(m.graph(), test);
            Evaluation e = Evaluation.run(m.executor(), new DataLoader(test,
                    DataLoader.Options.evaluation(batchSize, m.normalization())), test.numClasses());
            out.printf(Locale.ROOT, "%s on %s (%d images, %s): accuracy %.2f%%, loss %.4f%s%n", checkpoint, test.name(),
                    e.samples(), DeviceOptions.label(backend), e.accuracy() * 100, e.loss(),
                    m.folded() > 0 ? " (" + m.folded() + " batch norms folded)" : "");
            printConfusion(out, e.confusion(), test.classNames());
        }
        out.flush();
        return 0;
    }

    /** Rows are true classes, columns predictions. */
    static void printConfusion(PrintWriter out, long[][] c, List<String> names) {
        int w = 6;
        for (String n : names) {
            w = Math.max(w, n.length() + 1);
        }
        out.println("confusion matrix (rows: true class, columns: predicted)");
        StringBuilder head = new StringBuilder(" ".repeat(w));
        for (String n : names) {
            head.append(String.format(Locale.ROOT, "%" + w + "s", n));
        }
        out.println(head);
        for (int i = 0; i < c.length; i++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%" + w + "s", names.get(i)));
            for (long v : c[i]) {
                row.append(String.format(Locale.ROOT, "%" + w + "d", v));
            }
            out.println(row);
        }
    }
}
