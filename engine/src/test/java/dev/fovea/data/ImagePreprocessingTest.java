package dev.fovea.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How predict reads an image: inversion, transparency over the training background, stretched or
 * fitted with the aspect ratio kept.
 */
class ImagePreprocessingTest {
    @TempDir
    Path dir;

    /** A black 2x2 square on a transparent 8x8 canvas: a dark drawing on a transparent background. */
    private Path blackOnTransparent() throws Exception {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        for (int y = 3; y < 5; y++) {
            for (int x = 3; x < 5; x++) {
                img.setRGB(x, y, 0xff000000);
            }
        }
        Path p = dir.resolve("drawing.png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void transparencyTakesTheBackgroundColourAndInversionMakesTheDrawingLight() throws Exception {
        Path p = blackOnTransparent();
        float[] overBlack = ImageFiles.load(p, 1, 8, 8, new ImagePreprocessing(false, false, new float[] {0}));
        assertEquals(0f, max(overBlack), "black on transparent over black: nothing left to see");
        float[] overWhite = ImageFiles.load(p, 1, 8, 8, new ImagePreprocessing(false, false, new float[] {1}));
        assertEquals(1f, overWhite[0], 1e-6f);
        assertEquals(0f, overWhite[3 * 8 + 3], 1e-6f);
        float[] inverted = ImageFiles.load(p, 1, 8, 8, new ImagePreprocessing(false, true, new float[] {0}));
        assertEquals(0f, inverted[0], 1e-6f, "the transparent background takes the training background");
        assertEquals(1f, inverted[3 * 8 + 3], 1e-6f, "the black drawing becomes white, as MNIST's digits are");
    }

    @Test
    void keepAspectFitsAndCentresInsteadOfStretching() throws Exception {
        BufferedImage wide = new BufferedImage(8, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                wide.setRGB(x, y, 0xffffff);
            }
        }
        Path p = dir.resolve("wide.png");
        ImageIO.write(wide, "png", p.toFile());
        float[] stretched = ImageFiles.load(p, 1, 8, 8);
        assertEquals(64f, sum(stretched), 1e-3f, "stretched: white everywhere");
        float[] fitted = ImageFiles.load(p, 1, 8, 8, new ImagePreprocessing(true, false, new float[] {0}));
        assertEquals(32f, sum(fitted), 1e-3f, "fitted: an 8x4 band, centred on the black background");
        assertEquals(0f, fitted[0], 1e-6f);
        assertEquals(1f, fitted[4 * 8], 1e-6f);
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }
}
