package dev.fovea.data;

import static dev.fovea.io.FormatAssertions.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    @TempDir
    Path dir;

    /** {@code labels.length} records; pixel i of record r is {@code (r + i) % 256}. */
    static byte[] batch(int... labels) {
        byte[] b = new byte[labels.length * Cifar10.RECORD];
        for (int r = 0; r < labels.length; r++) {
            b[r * Cifar10.RECORD] = (byte) labels[r];
            for (int i = 0; i < Cifar10.PIXELS; i++) {
                b[r * Cifar10.RECORD + 1 + i] = (byte) ((r + i) % 256);
            }
        }
        return b;
    }

    @Test
    void readsRecordsAsChannelPlanes() throws IOException {
        Path p = dir.resolve("test_batch.bin");
        Files.write(p, batch(3, 9));
        Dataset d = Cifar10.readSplit(dir, false);
        assertEquals(dev.fovea.tensor.Shape.of(2, 3, 32, 32), d.shape());
        assertArrayEquals(new int[] {3, 9}, d.labels());
        assertEquals("cat", d.classNames().get(3));
        // Record 1, green plane (offset 1024), row 2, column 5: pixel byte index 1024 + 69.
        int i = 1024 + 2 * 32 + 5;
        assertEquals(((1 + i) % 256) / 255f, d.images()[Cifar10.PIXELS + i]);
    }

    @Test
    void concatenatesTheFiveTrainingBatchesInOrder() throws IOException {
        for (int k = 1; k <= 5; k++) {
            Files.write(dir.resolve("data_batch_" + k + ".bin"), batch(k, k + 4 > 9 ? 0 : k + 4));
        }
        Dataset d = Cifar10.readSplit(dir, true);
        assertArrayEquals(new int[] {1, 5, 2, 6, 3, 7, 4, 8, 5, 9}, d.labels());
    }

    @Test
    void sizeThatIsNotAWholeNumberOfRecordsIsRejected() throws IOException {
        Path p = dir.resolve("cut.bin");
        byte[] two = batch(1, 2);
        Files.write(p, Arrays.copyOf(two, two.length - 1));
        assertMalformed(p.toString(), "file size", "(3072 bytes of a partial record)", () -> Cifar10.read("cut", List.of(p)));
        Files.write(p, new byte[0]);
        assertMalformed(p.toString(), "file size", "found 0", () -> Cifar10.read("empty", List.of(p)));
        Files.write(p, Arrays.copyOf(two, two.length + 7));
        assertMalformed(p.toString(), "file size", "(7 bytes of a partial record)", () -> Cifar10.read("long", List.of(p)));
    }

    @Test
    void labelsOutsideZeroToNineAreRejected() throws IOException {
        Path p = dir.resolve("labels.bin");
        Files.write(p, batch(0, 10));
        assertMalformed(p.toString(), "record 1.label", "expected a class in 0..9, found 10 at byte offset 3073",
                () -> Cifar10.read("x", List.of(p)));
        Files.write(p, batch(255));
        assertMalformed(p.toString(), "record 0.label", "found 255", () -> Cifar10.read("x", List.of(p)));
    }
}
