package dev.fovea.data;

import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import dev.fovea.io.Limits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader for CIFAR-10's binary batches ({@code data_batch_1..5.bin}, {@code test_batch.bin}): records of
 * one label byte (0..9) then 3,072 pixel bytes, the red, green and blue 32x32 planes in row-major
 * order, which is already the {@code [3, 32, 32]} layout. Pixels are scaled to [0,1].
 */
public final class Cifar10 {
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");
    static final int SIDE = 32;
    static final int PIXELS = 3 * SIDE * SIDE;
    static final int RECORD = 1 + PIXELS;

    private Cifar10() {
    }

    /** The five training batches ({@code train}) or the test batch found in {@code dir}, concatenated. */
    public static Dataset readSplit(Path dir, boolean train) throws IOException {
        List<Path> files = new ArrayList<>();
        if (train) {
            for (int i = 1; i <= 5; i++) {
                files.add(dir.resolve("data_batch_" + i + ".bin"));
            }
        } else {
            files.add(dir.resolve("test_batch.bin"));
        }
        return read(dir + (train ? "/data_batch_{1..5}.bin" : "/test_batch.bin"), files);
    }

    /** One or more batch files, concatenated in the order given. */
    public static Dataset read(String name, List<Path> files) throws IOException {
        List<byte[]> contents = new ArrayList<>();
        long records = 0;
        for (Path file : files) {
            byte[] bytes = FileBytes.read(file, Limits.CIFAR_FILE_BYTES, "the limit for CIFAR-10 batches");
            check(file.toString(), bytes);
            contents.add(bytes);
            records += bytes.length / RECORD;
        }
        if (records * PIXELS > Limits.JAVA_ARRAY) {
            throw new FormatException(name, "record count", records + " images exceed the largest array");
        }
        FileBytes.checkHeap(name, "record count", records * PIXELS * Float.BYTES);
        float[] images = new float[(int) (records * PIXELS)];
        int[] labels = new int[(int) records];
        int n = 0;
        for (byte[] bytes : contents) {
            for (int r = 0; r < bytes.length / RECORD; r++, n++) {
                labels[n] = bytes[r * RECORD];
                int src = r * RECORD + 1;
                int dst = n * PIXELS;
                for (int i = 0; i < PIXELS; i++) {
                    images[dst + i] = (bytes[src + i] & 0xff) / 255f;
                }
            }
        }
        return new Dataset(name, 3, SIDE, SIDE, images, labels, CLASSES);
    }

    private static void check(String file, byte[] bytes) {
        if (bytes.length == 0 || bytes.length % RECORD != 0) {
            throw new FormatException(file, "file size", "expected a positive multiple of " + RECORD
                    + " bytes (1 label + 3072 pixels per record), found " + bytes.length
                    + (bytes.length > RECORD ? " (" + bytes.length % RECORD + " bytes of a partial record)" : ""));
        }
        for (int r = 0; r < bytes.length / RECORD; r++) {
            int label = bytes[r * RECORD] & 0xff;
            if (label >= CLASSES.size()) {
                throw new FormatException(file, "record " + r + ".label", "expected a class in 0..9, found " + label
                        + " at byte offset " + (long) r * RECORD);
            }
        }
    }
}
