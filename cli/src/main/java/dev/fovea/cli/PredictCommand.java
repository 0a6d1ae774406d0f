package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.data.Idx;
import dev.fovea.data.IdxFiles;
import dev.fovea.tensor.Shape;
import dev.fovea.train.InferenceModel;
import dev.fovea.train.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * `fovea predict`: the top-k classes, with probabilities, for image files or the images of IDX files
 * (recognised by their content). Images are preprocessed as {@link ImageOptions} describes.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classify PNG/JPEG files or the images of IDX files with a checkpoint: top-k classes and "
                + "probabilities.",
                "An image is read as the model's input: colours inverted with --invert, transparency composited over the "
                        + "training images' background, resized to the input (stretched, or fitted with --keep-aspect), "
                        + "converted to grey (luma) or RGB, scaled to [0,1] and normalised as in training."})
public final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint written by train (.json or "
            + ".safetensors), a run directory (its latest checkpoint), or bare weights with --model.")
    Path checkpoint;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUT", description = "PNG/JPEG files, or IDX image files "
            + "(raw or gzip).")
    List<Path> inputs;

    @Option(names = "--top", defaultValue = "3", paramLabel = "K", description = "How many classes to show (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N",
            description = "IDX input: how many images of each file to classify (default ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    ImageOptions image;

    @Mixin
    WeightsOptions weights;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Args.atLeast("--top", top, 1);
        Args.atLeast("--limit", limit, 1);
        for (Path p : inputs) {
            if (!Files.exists(p)) {
                throw new NoSuchFileException(p.toString());
            }
            if (Files.isDirectory(p)) {
                throw new IllegalArgumentException(p + ": a directory; predict takes image files or IDX image files");
            }
        }
        InferenceModel model = weights.read(checkpoint, err);
        Shape in = model.graph().input().shape();
        List<String> names = new ArrayList<>();
        List<float[]> images = new ArrayList<>();
        for (Path p : inputs) {
            String kind = IdxFiles.kind(p);
            if ("labels".equals(kind)) {
                throw new IllegalArgumentException(p + ": an IDX labels file; predict takes images (an IDX images file, "
                        + "e.g. t10k-images-idx3-ubyte.gz)");
            }
            if ("images".equals(kind)) {
                Idx.Images idx = Idx.readImages(p);
                int per = idx.rows() * idx.cols();
                if (in.dim(1) != 1 || in.dim(2) != idx.rows() || in.dim(3) != idx.cols()) {
                    throw new IllegalArgumentException(p + ": images are 1x" + idx.rows() + "x" + idx.cols()
                            + " but model '" + model.graph().name() + "' takes " + in);
                }
                for (int i = 0; i < Math.min(limit, idx.count()); i++) {
                    names.add(p.getFileName() + "[" + i + "]");
                    images.add(Arrays.copyOfRange(idx.pixels(), i * per, (i + 1) * per));
                }
            } else {
                names.add(p.toString());
                images.add(image.load(p, in, model.background(), err));
            }
        }
        try (Backend backend = device.open(err)) {
            LoadedModel m = model.on(backend);
            for (int i = 0; i < images.size(); i++) {
                float[] probs = m.probabilities(backend, images.get(i), 1);
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
        Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            int c = order[i];
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f%%", classes.get(c), probs[c] * 100));
        }
        return sb.toString();
    }
}
