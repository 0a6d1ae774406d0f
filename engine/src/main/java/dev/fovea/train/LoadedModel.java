package dev.fovea.train;

import dev.fovea.backend.Backend;
import dev.fovea.data.DataSources;
import dev.fovea.data.Normalization;
import dev.fovea.graph.BatchNormFolding;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * A trained model ready for inference: the checkpoint's graph with batch norm folded into the
 * convolutions, its weights on a backend, and the normalisation, class names and image background
 * it was trained with (the background is null when unknown).
 */
public record LoadedModel(Graph graph, Executor executor, Normalization normalization, List<String> classes, int folded,
                   float[] background) {

    /**
     * The model on {@code backend}, batch norm folded into the convolutions; the memory inference
     * needs is checked against the backend first, so a model that cannot fit is refused before
     * anything is allocated.
     */
    public static LoadedModel of(Graph g, Map<String, float[]> weights, Backend backend, Normalization norm,
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
    public Tensor input(Backend backend, float[] sample) {
        return input(backend, sample, 1);
    }

    /**
     * The class probabilities (the softmax of the outputs) of {@code n} samples laid end to end in
     * {@code samples}, each C*H*W values scaled to [0,1], as [n, classes] row by row; the model's
     * normalisation is applied to {@code samples} in place, as for {@link #input}.
     */
    public float[] probabilities(Backend backend, float[] samples, int n) {
        try (Tensor t = input(backend, samples, n); Tensor logits = executor.infer(t);
             Tensor p = backend.softmax(logits, 1, false)) {
            return backend.download(p);
        }
    }

    private Tensor input(Backend backend, float[] samples, int n) {
        Shape in = graph.input().shape();
        if (normalization != null) {
            normalization.applyInPlace(samples, in.dim(1), in.dim(2) * in.dim(3));
        }
        return backend.upload(Shape.of(n, in.dim(1), in.dim(2), in.dim(3)), samples);
    }

    /** The size images from folders are resized to: the model's input. */
    public static DataSources.FolderImageSize folderSize(Graph g) {
        Shape in = g.input().shape();
        if (in.rank() != 4) {
            throw new IllegalArgumentException("model '" + g.name() + "' does not take images (input " + in + ")");
        }
        return new DataSources.FolderImageSize(in.dim(1), in.dim(2), in.dim(3));
    }
}
