package dev.fovea.train;

import dev.fovea.backend.Backend;
import dev.fovea.data.Batch;
import dev.fovea.data.BatchIterator;
import dev.fovea.data.DataLoader;
import dev.fovea.graph.Executor;
import dev.fovea.primitives.Argmax;
import dev.fovea.primitives.LossKind;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/** Loss, accuracy and the confusion matrix of a model over a data set, in inference mode. */
public record Evaluation(double loss, double accuracy, long[][] confusion, int samples) {

    /**
     * Runs every batch of {@code loader}'s epoch 0 through {@code exec.infer}; the model must have
     * one output per class of the loader's data set ({@link Trainer#checkOutputs}: the same rule and
     * message as training's), and {@code classes} must be that data set's class count.
     */
    public static Evaluation run(Executor exec, DataLoader loader, int classes) {
        Trainer.checkOutputs(exec.graph(), loader.data());
        if (classes != loader.data().numClasses()) {
            throw new IllegalArgumentException("evaluation of " + classes + " classes but data set '" + loader.data().name()
                    + "' has " + loader.data().numClasses());
        }
        Backend b = exec.params().backend();
        Trainer.checkInferenceMemory(b, exec.graph(), Math.max(1, Math.min(loader.options().batchSize(), loader.data().size())));
        long[][] confusion = new long[classes][classes];
        double lossSum = 0;
        int n = 0;
        int correct = 0;
        try (BatchIterator it = loader.epoch(0)) {
            while (it.hasNext()) {
                Batch batch = it.next();
                try (Tensor x = b.upload(batch.shape(), batch.images());
                     Tensor logits = exec.infer(x);
                     Tensor y = b.upload(Shape.of(batch.size()), labelsAsFloats(batch.labels()));
                     Tensor loss = b.loss(LossKind.CROSS_ENTROPY, logits, y)) {
                    lossSum += b.download(loss)[0] * batch.size();
                    float[] out = b.download(logits);
                    int c = logits.shape().dim(1);
                    for (int i = 0; i < batch.size(); i++) {
                        int pred = Argmax.of(out, i * c, c);
                        confusion[batch.labels()[i]][pred]++;
                        if (pred == batch.labels()[i]) {
                            correct++;
                        }
                    }
                }
                n += batch.size();
            }
        }
        return new Evaluation(n == 0 ? Double.NaN : lossSum / n, n == 0 ? Double.NaN : (double) correct / n, confusion, n);
    }

    static float[] labelsAsFloats(int[] labels) {
        float[] f = new float[labels.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = labels[i];
        }
        return f;
    }
}
