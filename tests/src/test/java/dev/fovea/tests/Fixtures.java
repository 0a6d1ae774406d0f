package dev.fovea.tests;

import dev.fovea.data.Dataset;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Splits;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the CLI tests train and read: a tiny network, digits as image folders, the embedded IDX files. */
final class Fixtures {
    /** A small conv net that trains on a slice of the digits in about a second. */
    static final String TINY = """
            {"format": "fovea-model/1", "name": "tiny", "input": [1, 28, 28], "layers": [
              {"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel_size": 5, "stride": 2},
              {"type": "relu"},
              {"type": "max_pool2d", "kernel_size": 2},
              {"type": "flatten"},
              {"name": "fc", "type": "linear", "out_features": 10}]}""";

    static final Path IDX_IMAGES = Path.of("..", "engine", "src", "main", "resources", "dev", "fovea", "data",
            "mnist-digits", "t10k-images-idx3-ubyte.gz");
    static final Path EXAMPLE_DIGIT = Path.of("..", "examples", "digit.png");
    static final Path LENET5_WEIGHTS = Path.of("src", "test", "resources", "pytorch", "lenet5.safetensors");

    private Fixtures() {
    }

    static Path tinyModel(Path dir) throws IOException {
        Path p = dir.resolve("tiny.json");
        Files.writeString(p, TINY);
        return p;
    }

    /**
     * `fovea train` of the tiny model into {@code out}, by default on 256 digits for one epoch with
     * batches of 32 ({@code extra} may say otherwise); it must succeed.
     */
    static Cli trainTiny(Path dir, Path out, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("train", "--model", tinyModel(dir).toString(), "--device", "cpu",
                "--out", out.toString()));
        args.addAll(List.of(extra));
        for (String[] d : new String[][] {{"--limit", "256"}, {"--batch-size", "32"}, {"--epochs", "1"}}) {
            if (!args.contains(d[0])) {
                args.addAll(List.of(d));
            }
        }
        Cli c = Cli.run(args.toArray(String[]::new));
        assertEquals(0, c.status(), c.toString());
        return c;
    }

    /**
     * train/ and test/ image folders of the embedded digits: one class folder per entry of
     * {@code classes} (folder name -> digit), {@code perClass} training and a quarter as many test images each.
     */
    static Path digitFolders(Path dir, Map<String, Integer> classes, int perClass) throws IOException {
        Splits digits = EmbeddedDatasets.mnistDigits();
        writeSplit(digits.train(), dir.resolve("train"), classes, perClass);
        writeSplit(digits.test(), dir.resolve("test"), classes, Math.max(1, perClass / 4));
        return dir;
    }

    private static void writeSplit(Dataset d, Path root, Map<String, Integer> classes, int perClass) throws IOException {
        for (Map.Entry<String, Integer> c : classes.entrySet()) {
            Path folder = Files.createDirectories(root.resolve(c.getKey()));
            int n = 0;
            for (int i = 0; i < d.size() && n < perClass; i++) {
                if (d.labels()[i] == c.getValue()) {
                    ImageIO.write(grey(d, i), "png", folder.resolve(i + ".png").toFile());
                    n++;
                }
            }
        }
    }

    /** Sample {@code i} of a one-channel data set as a grey image. */
    static BufferedImage grey(Dataset d, int i) {
        BufferedImage img = new BufferedImage(d.width(), d.height(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < d.height(); y++) {
            for (int x = 0; x < d.width(); x++) {
                img.getRaster().setSample(x, y, 0, Math.round(d.images()[i * d.imageSize() + y * d.width() + x] * 255));
            }
        }
        return img;
    }

    /** The index of the first test digit {@code digit} of the embedded set. */
    static int firstTest(int digit) {
        Dataset test = EmbeddedDatasets.mnistDigits().test();
        for (int i = 0; i < test.size(); i++) {
            if (test.labels()[i] == digit) {
                return i;
            }
        }
        throw new AssertionError("no " + digit);
    }
}
