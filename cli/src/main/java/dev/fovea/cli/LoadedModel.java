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
import dev.fovea.data.Dataset;
import dev.fovea.train.Checkpoint;
import dev.fovea.train.ModelSpec;
import dev.fovea.train.Trainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A trained model ready for inference: the checkpoint's graph with batch norm folded into the
 * convolutions, its weights on a backend, and the normalisation and class names it was trained with.
 */
record LoadedModel(Graph graph, Executor executor, Normalization normalization, List<String> classes, int folded) {

    /**
     * Loads a Fovea checkpoint (its sidecar names the model), or, when {@code model} is given, a bare
     * safetensors file of weights with PyTorch's names (e.g. saved from a PyTorch model of the same
     * architecture with safetensors.torch.save_file(model.state_dict(), ...)).
     */
    static LoadedModel load(Path checkpoint, Backend backend, String model, PrintWriter err) throws IOException {
        if (model != null) {
            Graph g = ModelSpec.parse(model).graph();
            Map<String, float[]> weights = Checkpoint.importWeights(checkpoint, g);
            return fold(g, weights, backend, null, Dataset.numberedClasses(g.outputShape().dim(-1)), checkpoint, err);
        }
        Checkpoint c = Checkpoint.read(checkpoint);
        Graph g = c.model().graph();
        return fold(g, c.weightsFor(g, checkpoint.toString()), backend, c.normalization(), c.classes(), checkpoint, err);
    }

    private static LoadedModel fold(Graph g, Map<String, float[]> weights, Backend backend, Normalization norm,
                                    List<String> classes, Path source, PrintWriter err) {
        for (String w : Checkpoint.nonFiniteWarnings(weights, source.toString())) {
            err.println("fovea: warning: " + w);
        }
        err.flush();
        Trainer.checkInferenceMemory(backend, g, 1);
        BatchNormFolding.Folded f = BatchNormFolding.fold(g, weights);
        Parameters params = Parameters.fromHost(f.graph(), backend, f.params());
        return new LoadedModel(f.graph(), new Executor(f.graph(), params), norm, classes, f.foldedCount());
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
