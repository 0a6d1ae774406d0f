package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.data.DataSources;
import dev.fovea.data.Normalization;
import dev.fovea.graph.BatchNormFolding;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.tensor.Shape;
import dev.fovea.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A trained model ready for inference: the checkpoint's graph with batch norm folded into the
 * convolutions, its weights on a backend, and the normalisation and class names it was trained with.
 */
record LoadedModel(Graph graph, Executor executor, Normalization normalization, List<String> classes, int folded) {

    static LoadedModel load(Path checkpoint, Backend backend) throws IOException {
        Checkpoint c = Checkpoint.read(checkpoint);
        Graph g = c.model().graph();
        Map<String, float[]> weights = c.weightsFor(g, checkpoint.toString());
        BatchNormFolding.Folded f = BatchNormFolding.fold(g, weights);
        Parameters params = Parameters.fromHost(f.graph(), backend, f.params());
        return new LoadedModel(f.graph(), new Executor(f.graph(), params), c.normalization(), c.classes(), f.foldedCount());
    }

    /** The size images from folders are resized to: the model's input. */
    static DataSources.FolderImageSize folderSize(Graph g) {
        Shape in = g.input().shape();
        if (in.rank() != 4) {
            throw new IllegalArgumentException("model '" + g.name() + "' does not take images (input " + in + ")");
        }
        return new DataSources.FolderImageSize(in.dim(1), in.dim(2), in.dim(3));
    }
}
