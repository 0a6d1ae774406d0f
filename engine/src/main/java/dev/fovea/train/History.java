package dev.fovea.train;

import dev.fovea.report.Charts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The training curves: one row per epoch, written as CSV and as PNG charts. */
public final class History {

    /**
     * One epoch's numbers. {@code trainAccuracy} is the running accuracy over the epoch's batches as
     * they were trained (what Keras reports as "accuracy"); NaN in checkpoints older than it.
     */
    public record Epoch(int epoch, double trainLoss, double testLoss, double testAccuracy, double imagesPerSecond,
                        double lr, double trainAccuracy) {
        public Epoch(int epoch, double trainLoss, double testLoss, double testAccuracy, double imagesPerSecond,
                     double lr) {
            this(epoch, trainLoss, testLoss, testAccuracy, imagesPerSecond, lr, Double.NaN);
        }
    }

    private final List<Epoch> rows = new ArrayList<>();

    public void add(Epoch e) {
        rows.add(e);
    }

    public List<Epoch> rows() {
        return List.copyOf(rows);
    }

    public void writeCsv(Path file) throws IOException {
        // train_accuracy comes last so that the columns before it keep their places for existing readers.
        StringBuilder sb = new StringBuilder("epoch,train_loss,test_loss,test_accuracy,images_per_s,lr,train_accuracy\n");
        for (Epoch e : rows) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.1f,%.6g,%.6f%n", e.epoch(), e.trainLoss(),
                    e.testLoss(), e.testAccuracy(), e.imagesPerSecond(), e.lr(), e.trainAccuracy()));
        }
        dev.fovea.io.AtomicFile.writeString(file, sb.toString());
    }

    /** Loss curves and accuracy curves, train and test each, in two PNGs with epochs on the x axis. */
    public void writeCharts(Path lossPng, Path accuracyPng) {
        double[] x = rows.stream().mapToDouble(Epoch::epoch).toArray();
        Charts.epochLines(lossPng, "Loss", "cross-entropy", List.of(
                new Charts.Series("train", x, rows.stream().mapToDouble(Epoch::trainLoss).toArray()),
                new Charts.Series("test", x, rows.stream().mapToDouble(Epoch::testLoss).toArray())));
        Charts.epochLines(accuracyPng, "Accuracy", "accuracy (%)", List.of(
                new Charts.Series("train", x, rows.stream().mapToDouble(e -> 100 * e.trainAccuracy()).toArray()),
                new Charts.Series("test", x, rows.stream().mapToDouble(e -> 100 * e.testAccuracy()).toArray())));
    }
}
