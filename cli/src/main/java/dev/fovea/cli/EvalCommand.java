package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.data.DataLoader;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.train.Evaluation;
import dev.fovea.train.InferenceModel;
import dev.fovea.train.LoadedModel;
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

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint written by train (.json or "
            + ".safetensors), a run directory (its latest checkpoint), or bare weights with --model.")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "DATA", description = "Data set whose test split is used (default: the one the "
            + "checkpoint was trained on, mnist-digits for bare weights).")
    String data;

    @Option(names = "--batch-size", defaultValue = "256", paramLabel = "N",
            description = "Images per inference batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    WeightsOptions weights;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Args.atLeast("--batch-size", batchSize, 1);
        InferenceModel model = weights.read(checkpoint, spec.commandLine().getErr());
        Dataset test = DataSources.open(dataFor(data, model), LoadedModel.folderSize(model.graph())).test();
        ClassCheck.check(model.source().toString(), model.graph(), model.classes(), test);
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            LoadedModel m = model.on(backend);
            Evaluation e = Evaluation.run(m.executor(), new DataLoader(test,
                    DataLoader.Options.evaluation(batchSize, m.normalization())), test.numClasses());
            out.printf(Locale.ROOT, "%s on %s (%d images, %s): accuracy %.2f%%, loss %.4f%s%n", model.source(), test.name(),
                    e.samples(), DeviceOptions.label(backend), e.accuracy() * 100, e.loss(),
                    m.folded() > 0 ? " (" + m.folded() + " batch norms folded)" : "");
            printConfusion(out, e.confusion(), test.classNames());
        }
        out.flush();
        return 0;
    }

    /**
     * The data set to evaluate on: --data, else the one the model was trained on (which must still be
     * there), else the embedded digits.
     */
    static String dataFor(String given, InferenceModel model) {
        if (given != null) {
            return given;
        }
        String recorded = model.data();
        if (recorded == null) {
            return EmbeddedDatasets.MNIST_DIGITS;
        }
        if (!recorded.equals(EmbeddedDatasets.MNIST_DIGITS) && !java.nio.file.Files.isDirectory(Path.of(recorded))) {
            throw new IllegalArgumentException(model.source() + " was trained on --data " + recorded + ", which is not there "
                    + "now; give --data with where that data set is");
        }
        return recorded;
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
