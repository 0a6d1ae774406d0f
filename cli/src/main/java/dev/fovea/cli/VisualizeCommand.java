package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.graph.Node;
import dev.fovea.io.Listing;
import dev.fovea.report.FeatureMapGrid;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
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
import java.util.Arrays;
import java.util.concurrent.Callable;

/** `fovea visualize`: a layer's feature maps for one input image, as a titled PNG grid. */
@Command(name = "visualize", mixinStandardHelpOptions = true,
        description = "Write the feature maps of a layer for an input image (a file, or a test image of the checkpoint's "
                + "data) as a PNG grid titled with the layer and the image, each map labelled with its channel.")
public final class VisualizeCommand implements Callable<Integer> {
    /** Past this, one activation per this many pixels makes images of hundreds of megabytes. */
    static final int MAX_SCALE = 64;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint written by train (.json or "
            + ".safetensors), a run directory (its latest checkpoint), or bare weights with --model.")
    Path checkpoint;

    @Option(names = "--layer", required = true, paramLabel = "NAME",
            description = "Node name, e.g. conv1 or relu_1 (see fovea summary; required).")
    String layer;

    @Option(names = "--image", paramLabel = "FILE", description = "A PNG/JPEG input, preprocessed as by predict "
            + "(default: test image --index of --data).")
    Path image;

    @Option(names = "--data", paramLabel = "DATA", description = "Data set whose test image --index is shown (default: "
            + "the one the checkpoint was trained on, mnist-digits for bare weights).")
    String data;

    @Option(names = "--index", defaultValue = "0", paramLabel = "I",
            description = "Which test image, counting from 0 (default ${DEFAULT-VALUE}).")
    int index;

    @Option(names = "--scale", defaultValue = "4", paramLabel = "PX",
            description = "Pixels per activation, 1.." + MAX_SCALE + " (default ${DEFAULT-VALUE}).")
    int scale;

    @Option(names = "--out", defaultValue = "feature-maps.png", paramLabel = "FILE.png",
            description = "The PNG to write (default ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    ImageOptions imageOptions;

    @Mixin
    WeightsOptions weights;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Args.atLeast("--index", index, 0);
        Args.atLeast("--scale", scale, 1);
        if (scale > MAX_SCALE) {
            throw new IllegalArgumentException("--scale " + scale + ": at most " + MAX_SCALE + " pixels per activation");
        }
        InferenceModel model = weights.read(checkpoint, err);
        Node node = model.graph().nodes().stream().filter(n -> n.name().equals(layer)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--layer '" + layer + "': no such layer; layers: "
                        + Listing.of(model.graph().nodes().stream().map(Node::name).toList(), ", ")));
        if (node.shape().rank() != 4) {
            throw new IllegalArgumentException("--layer '" + layer + "' outputs " + node.shape()
                    + ", not feature maps; choose a convolution, activation or pooling layer");
        }
        Shape in = model.graph().input().shape();
        float[] x;
        String source;
        if (image != null) {
            x = imageOptions.load(image, in, model.background(), err);
            source = image.getFileName().toString();
        } else {
            Dataset test = DataSources.open(EvalCommand.dataFor(data, model), LoadedModel.folderSize(model.graph())).test();
            if (index >= test.size()) {
                throw new IllegalArgumentException("--index " + index + ": the test split of " + test.name() + " has "
                        + test.size() + " images (0.." + (test.size() - 1) + ")");
            }
            x = Arrays.copyOfRange(test.images(), index * test.imageSize(), (index + 1) * test.imageSize());
            int label = test.labels()[index];
            source = "test image " + index + " of " + test.name() + " (class " + test.classNames().get(label) + ")";
        }
        try (Backend backend = device.open(err)) {
            LoadedModel m = model.on(backend);
            try (Tensor t = m.input(backend, x); Tensor maps = m.executor().inferTo(t, layer)) {
                Shape s = maps.shape();
                String title = layer + " (" + node.op() + "): " + s.dim(1) + " channels of " + s.dim(2) + "x" + s.dim(3)
                        + ", for " + source;
                FeatureMapGrid.write(out, backend.download(maps), s.dim(1), s.dim(2), s.dim(3), scale, title);
                w.println("wrote " + s.dim(1) + " feature maps of " + layer + " (" + s.dim(2) + "x" + s.dim(3) + ") to " + out
                        + ", for " + source);
            }
        }
        w.flush();
        return 0;
    }
}
