package dev.fovea.data;

import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import dev.fovea.io.InputBytes;
import dev.fovea.io.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reader for IDX files, the format of MNIST and Fashion-MNIST: unsigned-byte images ({@code idx3},
 * magic 0x00000803, header count/rows/cols) and labels ({@code idx1}, magic 0x00000801, header
 * count), raw or gzip (detected by its magic bytes, not the file name). Every header field is
 * checked against the file's size before anything is allocated; bad content gives a
 * {@link FormatException} naming the file and the field.
 */
public final class Idx {
    static final long IMAGES_MAGIC = 0x00000803L;
    static final long LABELS_MAGIC = 0x00000801L;
    private static final int CHUNK = 1 << 16;

    private Idx() {
    }

    /** Pixels of an idx3 file, scaled to [0,1]: {@code count} images of {@code rows x cols}. */
    public record Images(int count, int rows, int cols, float[] pixels) {
    }

    /**
     * Reads {@code <prefix>-images-idx3-ubyte[.gz]} and {@code <prefix>-labels-idx1-ubyte[.gz]} from
     * {@code dir}; MNIST's prefixes are "train" and "t10k".
     */
    public static Dataset readSplit(Path dir, String prefix, int numClasses) throws IOException {
        return read(find(dir, prefix + "-images-idx3-ubyte"), find(dir, prefix + "-labels-idx1-ubyte"), numClasses);
    }

    /** Reads an image file and its label file into a single-channel data set. */
    public static Dataset read(Path images, Path labels, int numClasses) throws IOException {
        return combine(images.toString(), readImages(images), labels.toString(), readLabels(labels, numClasses), numClasses);
    }

    public static Images readImages(Path file) throws IOException {
        return parseImages(file.toString(), FileBytes.read(file, Limits.IDX_FILE_BYTES, "the limit for IDX files"));
    }

    /** Labels of an idx1 file, each checked to lie in {@code 0..numClasses-1}. */
    public static int[] readLabels(Path file, int numClasses) throws IOException {
        return parseLabels(file.toString(), FileBytes.read(file, Limits.IDX_FILE_BYTES, "the limit for IDX files"), numClasses);
    }

    static Dataset combine(String imagesName, Images images, String labelsName, int[] labels, int numClasses) {
        if (labels.length != images.count()) {
            throw new FormatException(labelsName, "header.count", "expected " + images.count() + " labels, one per image of "
                    + imagesName + ", found " + labels.length);
        }
        return new Dataset(imagesName, 1, images.rows(), images.cols(), images.pixels(), labels, Dataset.numberedClasses(numClasses));
    }

    static Images parseImages(String name, byte[] bytes) {
        InputBytes in = InputBytes.of(name, bytes);
        checkMagic(in, IMAGES_MAGIC, "images (idx3, unsigned bytes, 3 dimensions)");
        long count = positive(in, "header.count", Limits.JAVA_ARRAY);
        long rows = positive(in, "header.rows", Limits.IMAGE_SIDE);
        long cols = positive(in, "header.cols", Limits.IMAGE_SIDE);
        long perImage = rows * cols;
        if (count > Limits.JAVA_ARRAY / perImage) {
            throw new FormatException(name, "header.count", count + " images of " + rows + "x" + cols
                    + " exceed the largest array (" + Limits.JAVA_ARRAY + " values)");
        }
        long total = count * perImage;
        in.expectRemaining("header.count", total);
        FileBytes.checkHeap(name, "header.count", total * Float.BYTES);
        float[] pixels = new float[(int) total];
        byte[] chunk = new byte[CHUNK];
        for (int done = 0; done < total; ) {
            int n = (int) Math.min(CHUNK, total - done);
            in.readFully("pixels", chunk, 0, n);
            for (int i = 0; i < n; i++) {
                pixels[done + i] = (chunk[i] & 0xff) / 255f;
            }
            done += n;
        }
        in.expectEnd();
        return new Images((int) count, (int) rows, (int) cols, pixels);
    }

    static int[] parseLabels(String name, byte[] bytes, int numClasses) {
        InputBytes in = InputBytes.of(name, bytes);
        checkMagic(in, LABELS_MAGIC, "labels (idx1, unsigned bytes, 1 dimension)");
        long count = positive(in, "header.count", Limits.JAVA_ARRAY);
        in.expectRemaining("header.count", count);
        FileBytes.checkHeap(name, "header.count", count * (Integer.BYTES + 1));
        byte[] raw = new byte[(int) count];
        in.readFully("labels", raw, 0, raw.length);
        in.expectEnd();
        int[] labels = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            labels[i] = raw[i] & 0xff;
            if (labels[i] >= numClasses) {
                throw new FormatException(name, "label " + i, "expected a class in 0.." + (numClasses - 1) + ", found " + labels[i]);
            }
        }
        return labels;
    }

    private static void checkMagic(InputBytes in, long expected, String what) {
        long magic = in.readUint32("header.magic");
        if (magic != expected) {
            throw new FormatException(in.name(), "header.magic", String.format("expected 0x%08x for %s, found 0x%08x", expected, what, magic));
        }
    }

    private static long positive(InputBytes in, String field, long max) {
        long v = in.readUint32(field);
        if (v < 1 || v > max) {
            throw new FormatException(in.name(), field, "expected 1.." + max + ", found " + v);
        }
        return v;
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String candidate : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(candidate);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new NoSuchFileException(dir.resolve(base) + "[.gz]", null, "IDX file not found (raw or .gz)");
    }
}
