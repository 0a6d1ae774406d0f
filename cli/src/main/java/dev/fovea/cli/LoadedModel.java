package dev.fovea.cli;

import dev.fovea.backend.Backend;
import dev.fovea.data.DataSources;
import dev.fovea.data.Normalization;
import dev.fovea.graph.BatchNormFolding;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Trainer;

import java.util.List;
import java.util.Map;

/**
 * A trained model ready for inference: the checkpoint's graph with batch norm folded into the
 * convolutions, its weights on a backend, and the normalisation, class names and image background
 * it was trained with (the background is null when unknown).
 */
record LoadedModel(Graph graph, Executor executor, Normalization normalization, List<String> classes, int folded,
                   float[] background) {

    /**
     * The model on {@code backend}, batch norm folded into the convolutions; the memory inference
     * needs is checked against the backend first, so a model that cannot fit is refused before
     * anything is allocated.
     */
    static LoadedModel of(Graph g, Map<String, float[]> weights, Backend backend, Normalization norm,
                          List<String> classes, float[] background) {
        Trainer.checkInferenceMemory(backend, g, 1);
        BatchNormFolding.Folded f = BatchNormFolding.fold(g, weights);
        Parameters params = Parameters.fromHost(f.graph(), backend, f.params());
        return new LoadedModel(f.graph(), new Executor(f.graph(), params), norm, classes, f.foldedCount(), background);
    }

    /**
     * One sample (C*H*W values scaled to [0,1]) as the model's input on {@code backend}, with the
     * normalisation the model was trained with applied in place.
     */
    Tensor input(Backend backend, float[] sample) {
        Shape in = graph.input().shape();
        if (normalization != null) {
            normalization.applyInPlace(sample, in.dim(1), in.dim(2) * in.dim(3));
        }
        return backend.upload(in, sample);
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
