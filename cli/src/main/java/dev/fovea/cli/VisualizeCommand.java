package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.ImageFiles;
import dev.fovea.graph.Node;
import dev.fovea.io.Listing;
import dev.fovea.report.FeatureMapGrid;
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
import java.util.Arrays;
import java.util.concurrent.Callable;

/** `fovea visualize`: a layer's feature maps for one input image, as a PNG grid. */
@Command(name = "visualize", mixinStandardHelpOptions = true,
        description = "Write the feature maps of a layer for an input image (a file, or a test image of --data) as a PNG grid.")
public final class VisualizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT")
    Path checkpoint;

    @Option(names = "--layer", required = true, description = "Node name, e.g. conv1 or relu_1 (see fovea summary).")
    String layer;

    @Option(names = "--image", description = "A PNG/JPEG input; without it, test image --index of --data.")
    Path image;

    @Option(names = "--data", defaultValue = EmbeddedDatasets.MNIST_DIGITS)
    String data;

    @Option(names = "--index", defaultValue = "0")
    int index;

    @Option(names = "--scale", defaultValue = "4", description = "Pixels per activation (default ${DEFAULT-VALUE}).")
    int scale;

    @Option(names = "--out", defaultValue = "feature-maps.png")
    Path out;

    @Mixin
    WeightsOptions weights;

    @Mixin
    DeviceOptions device;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            LoadedModel m = weights.load(checkpoint, backend);
            Node node = m.graph().nodes().stream().filter(n -> n.name().equals(layer)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--layer '" + layer + "': no such layer; layers: "
                            + Listing.of(m.graph().nodes().stream().map(Node::name).toList(), ", ")));
            if (node.shape().rank() != 4) {
                throw new IllegalArgumentException("--layer '" + layer + "' outputs " + node.shape()
                        + ", not feature maps; choose a convolution, activation or pooling layer");
            }
            Shape in = m.graph().input().shape();
            float[] x;
            if (image != null) {
                x = ImageFiles.load(image, in.dim(1), in.dim(2), in.dim(3));
            } else {
                Dataset test = DataSources.open(data, LoadedModel.folderSize(m.graph())).test();
                if (index < 0 || index >= test.size()) {
                    throw new IllegalArgumentException("--index " + index + ": test split has " + test.size() + " images");
                }
                x = Arrays.copyOfRange(test.images(), index * test.imageSize(), (index + 1) * test.imageSize());
            }
            try (Tensor t = m.input(backend, x); Tensor maps = m.executor().inferTo(t, layer)) {
                Shape s = maps.shape();
                FeatureMapGrid.write(out, backend.download(maps), s.dim(1), s.dim(2), s.dim(3), scale);
                w.println("wrote " + s.dim(1) + " feature maps of " + layer + " (" + s.dim(2) + "x" + s.dim(3) + ") to " + out);
            }
        }
        w.flush();
        return 0;
    }
}
