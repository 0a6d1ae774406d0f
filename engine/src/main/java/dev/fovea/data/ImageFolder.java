package dev.fovea.data;

import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import dev.fovea.io.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a directory with one subfolder per class (as torchvision's {@code ImageFolder}): the sorted
 * subfolder names are the classes, so the i-th name is class i. Every non-hidden file in a class
 * folder must be a PNG or JPEG image; each is resized to the requested size. Files directly in
 * the root and hidden entries (starting with '.') are ignored.
 */
public final class ImageFolder {
    private ImageFolder() {
    }

    /** Loads every image under {@code root} as {@code channels} (1 = grey, 3 = RGB) planes of {@code height x width}. */
    public static Dataset read(Path root, int channels, int height, int width) throws IOException {
        String name = root.toString();
        List<Path> classDirs = list(root, Files::isDirectory);
        if (classDirs.isEmpty()) {
            throw new FormatException(name, "class folders", "expected one subfolder per class, found none");
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path dir : classDirs) {
            // Everything but subfolders: a FIFO or device among the images is refused by the reader, not skipped.
            List<Path> images = list(dir, p -> !Files.isDirectory(p));
            if (images.isEmpty()) {
                throw new FormatException(dir.toString(), "class folder", "expected at least one PNG or JPEG image, the folder is empty");
            }
            for (Path image : images) {
                files.add(image);
                labels.add(classes.size());
            }
            classes.add(dir.getFileName().toString());
        }
        long per = (long) channels * height * width;
        if (per * files.size() > Limits.JAVA_ARRAY) {
            throw new IllegalArgumentException("image folder " + name + ": " + files.size() + " images of " + channels + "x"
                    + height + "x" + width + " exceed the largest array");
        }
        FileBytes.checkHeap(name, "image count", per * files.size() * Float.BYTES);
        float[] pixels = new float[(int) (per * files.size())];
        for (int i = 0; i < files.size(); i++) {
            float[] img = ImageFiles.load(files.get(i), channels, height, width);
            System.arraycopy(img, 0, pixels, (int) (i * per), img.length);
        }
        return new Dataset(name, channels, height, width, pixels, labels.stream().mapToInt(Integer::intValue).toArray(), classes);
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> kind) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).filter(kind).sorted().toList();
        }
    }
}
