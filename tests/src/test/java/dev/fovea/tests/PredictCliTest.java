package dev.fovea.tests;

import dev.fovea.data.Dataset;
import dev.fovea.data.EmbeddedDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How predict reads an image: the shipped example digit, a dark drawing on a transparent background
 * (blank without --invert, and said so; right with it), a dark digit on white noticed against the
 * training images' background, and --keep-aspect.
 */
class PredictCliTest {
    private static final String LENET = Fixtures.LENET5_WEIGHTS.toString();

    /** Test digit {@code i} drawn as black ink whose opacity is the digit's brightness, on a transparent canvas. */
    private static Path inkOnTransparent(Path dir, int i) throws Exception {
        Dataset test = EmbeddedDatasets.mnistDigits().test();
        BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                int a = Math.round(test.images()[i * 784 + (y / 2) * 28 + x / 2] * 255);
                img.setRGB(x, y, a << 24);
            }
        }
        Path p = dir.resolve("ink.png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void theExampleDigitIsASeven() {
        Cli p = Cli.run("predict", LENET, Fixtures.EXAMPLE_DIGIT.toString(), "--model", "lenet5", "--top", "1",
                "--device", "cpu");
        assertEquals(0, p.status(), p.toString());
        assertTrue(p.out().matches(java.util.regex.Pattern.quote(Fixtures.EXAMPLE_DIGIT.toString()) + ": 7 \\d+\\.\\d\\d%\\R"),
                p.out());
    }

    @Test
    void aDarkDrawingOnATransparentBackgroundNeedsInvertAndSaysSo(@TempDir Path dir) throws Exception {
        int three = Fixtures.firstTest(3);
        Path ink = inkOnTransparent(dir, three);
        Cli blank = Cli.run("predict", LENET, ink.toString(), "--model", "lenet5", "--device", "cpu");
        assertEquals(0, blank.status(), blank.toString());
        assertTrue(blank.err().contains("fovea: warning: " + ink + " is nearly uniform after preprocessing (all values "
                + "0.00..0.00): the model sees a blank image (a dark drawing on a transparent or light background needs "
                + "--invert)"), blank.err());
        Cli inverted = Cli.run("predict", LENET, ink.toString(), "--model", "lenet5", "--invert", "--top", "1",
                "--device", "cpu");
        assertEquals(0, inverted.status(), inverted.toString());
        assertTrue(inverted.out().startsWith(ink + ": 3 "), inverted.out());
        assertFalse(inverted.err().contains("warning"), inverted.err());
    }

    @Test
    void aDarkDigitOnWhiteIsComparedWithTheTrainingBackground(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Fixtures.trainTiny(dir, run);
        Dataset test = EmbeddedDatasets.mnistDigits().test();
        BufferedImage img = Fixtures.grey(test, Fixtures.firstTest(5));
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                img.getRaster().setSample(x, y, 0, 255 - img.getRaster().getSample(x, y, 0));
            }
        }
        Path dark = dir.resolve("dark-on-white.png");
        ImageIO.write(img, "png", dark.toFile());
        Cli p = Cli.run("predict", run.toString(), dark.toString(), "--device", "cpu");
        assertEquals(0, p.status(), p.toString());
        assertTrue(p.err().contains("fovea: warning: " + dark + " has a light border (1.00) but the training images' "
                + "background is dark (0.00): if it shows a dark shape on a light background, try --invert"), p.err());
        Cli fixed = Cli.run("predict", run.toString(), dark.toString(), "--invert", "--keep-aspect", "--device", "cpu");
        assertEquals(0, fixed.status(), fixed.toString());
        assertFalse(fixed.err().contains("warning"), fixed.err());
    }
}
