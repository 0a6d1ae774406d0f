package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.data.Idx;
import dev.fovea.data.ImageFiles;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `fovea predict`: the top-k classes, with probabilities, for image files or every image of an IDX file. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify PNG/JPEG files or the images of an IDX file with a checkpoint: top-k classes and probabilities.")
public final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT")
    Path checkpoint;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUT", description = "PNG/JPEG files, or one IDX images file (raw or .gz).")
    List<Path> inputs;

    @Option(names = "--top", defaultValue = "3", description = "How many classes to show (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--limit", defaultValue = "20", description = "IDX input: how many images to classify (default ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    WeightsOptions weights;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws Exception {
        Arguments.positive("--top", top);
        Arguments.positive("--limit", limit);
        PrintWriter out = spec.commandLine().getOut();
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            LoadedModel m = weights.load(checkpoint, backend);
            Shape in = m.graph().input().shape();
            List<String> names = new ArrayList<>();
            List<float[]> images = new ArrayList<>();
            if (inputs.size() == 1 && inputs.get(0).getFileName().toString().contains("idx3")) {
                Idx.Images idx = Idx.readImages(inputs.get(0));
                int per = idx.rows() * idx.cols();
                if (in.dim(1) != 1 || in.dim(2) != idx.rows() || in.dim(3) != idx.cols()) {
                    throw new IllegalArgumentException(inputs.get(0) + ": images are 1x" + idx.rows() + "x" + idx.cols()
                            + " but model '" + m.graph().name() + "' takes " + in);
                }
                for (int i = 0; i < Math.min(limit, idx.count()); i++) {
                    names.add(inputs.get(0).getFileName() + "[" + i + "]");
                    images.add(java.util.Arrays.copyOfRange(idx.pixels(), i * per, (i + 1) * per));
                }
            } else {
                for (Path p : inputs) {
                    names.add(p.toString());
                    images.add(ImageFiles.load(p, in.dim(1), in.dim(2), in.dim(3)));
                }
            }
            for (int i = 0; i < images.size(); i++) {
                float[] probs;
                try (Tensor t = m.input(backend, images.get(i)); Tensor logits = m.executor().infer(t);
                     Tensor p = backend.softmax(logits, 1, false)) {
                    probs = backend.download(p);
                }
                out.println(names.get(i) + ": " + topK(probs, m.classes(), top));
            }
        }
        out.flush();
        return 0;
    }

    static String topK(float[] probs, List<String> classes, int k) {
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            int c = order[i];
            String name = c < classes.size() ? classes.get(c) : Integer.toString(c);
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f%%", name, probs[c] * 100));
        }
        return sb.toString();
    }
}
