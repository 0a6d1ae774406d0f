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

    /** One epoch's numbers. */
    public record Epoch(int epoch, double trainLoss, double testLoss, double testAccuracy, double imagesPerSecond,
                        double lr) {
    }

    private final List<Epoch> rows = new ArrayList<>();

    public void add(Epoch e) {
        rows.add(e);
    }

    public List<Epoch> rows() {
        return List.copyOf(rows);
    }

    public void writeCsv(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("epoch,train_loss,test_loss,test_accuracy,images_per_s,lr\n");
        for (Epoch e : rows) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.1f,%.6g%n", e.epoch(), e.trainLoss(), e.testLoss(),
                    e.testAccuracy(), e.imagesPerSecond(), e.lr()));
        }
        dev.fovea.io.AtomicFile.writeString(file, sb.toString());
    }

    /** Loss curves (train and test) and test accuracy, side by side in two PNGs. */
    public void writeCharts(Path lossPng, Path accuracyPng) {
        double[] x = rows.stream().mapToDouble(Epoch::epoch).toArray();
        Charts.lines(lossPng, "Loss", "epoch", "cross-entropy", List.of(
                new Charts.Series("train", x, rows.stream().mapToDouble(Epoch::trainLoss).toArray()),
                new Charts.Series("test", x, rows.stream().mapToDouble(Epoch::testLoss).toArray())));
        Charts.lines(accuracyPng, "Test accuracy", "epoch", "accuracy", List.of(
                new Charts.Series("test", x, rows.stream().mapToDouble(Epoch::testAccuracy).toArray())));
    }
}
