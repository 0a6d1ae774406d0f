package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.FormatException;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image files that must be refused (truncated) or converted (CMYK) rather than misread. */
class ImageFilesTest {
    @TempDir
    Path dir;

    static BufferedImage detailed(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, new Color(x * 255 / w, y * 255 / h, (x * y * 37) % 256).getRGB());
            }
        }
        return img;
    }

    /**
     * Every cut of a PNG, JPEG or BMP file is refused with a FormatException naming the file (javax.imageio
     * decodes a cut JPEG, and a PNG cut after its image data, with the rest filled in); once a PNG's
     * cut falls after its header, the message says the file is truncated.
     */
    @Test
    void everyTruncationIsRefusedNamingTheFile() throws IOException {
        Path p = dir.resolve("cut");
        for (String format : new String[] {"png", "jpg", "bmp"}) {
            byte[] whole = ImageFolderTest.encode(detailed(12, 9), format);
            Files.write(p, whole);
            assertEquals(3 * 4 * 4, ImageFiles.load(p, 3, 4, 4).length, format + " whole");
            int header = format.equals("png") ? 33 : whole.length;
            for (int cut = 1; cut < whole.length; cut++) {
                Files.write(p, Arrays.copyOf(whole, cut));
                FormatException e = assertThrows(FormatException.class, () -> ImageFiles.load(p, 3, 4, 4),
                        format + " cut to " + cut + " of " + whole.length + " bytes was decoded");
                assertEquals(p.toString(), e.file());
                if (cut > header) {
                    assertTrue(e.getMessage().contains("truncated"), format + " cut to " + cut + ": " + e.getMessage());
                }
            }
        }
    }

    /** A JPEG cut half-way through its image data, which javax.imageio decodes with the rest grey, says why it is refused. */
    @Test
    void aJpegCutInItsImageDataSaysItIsTruncated() throws IOException {
        byte[] whole = ImageFolderTest.encode(detailed(64, 64), "jpg");
        Path p = dir.resolve("half.jpg");
        Files.write(p, Arrays.copyOf(whole, (sosEnd(whole) + whole.length) / 2));
        FormatException e = assertThrows(FormatException.class, () -> ImageFiles.load(p, 3, 8, 8));
        assertEquals(p + ": jpeg image data: the file is truncated or its data ends early (Truncated File - Missing EOI "
                + "marker); refused rather than decoded with the missing part filled in", e.getMessage());
    }

    private static int indexOf(byte[] b, byte[] what) {
        for (int i = 0; i + what.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    private static int sosEnd(byte[] jpeg) {
        int at = indexOf(jpeg, new byte[] {(byte) 0xff, (byte) 0xda});
        return at + 2 + ((jpeg[at + 2] & 0xff) << 8 | (jpeg[at + 3] & 0xff));
    }

    /** GIF has a one-byte trailer after the image data, which PIL does not require either. */
    @Test
    void gifsCutInsideTheirImageDataAreRefused() throws IOException {
        Path p = dir.resolve("cut.gif");
        byte[] whole = ImageFolderTest.encode(detailed(12, 9), "gif");
        for (int cut = 1; cut < whole.length - 1; cut++) {
            Files.write(p, Arrays.copyOf(whole, cut));
            assertThrows(FormatException.class, () -> ImageFiles.load(p, 3, 4, 4), "gif cut to " + cut);
        }
    }

    /**
     * CMYK JPEGs as Pillow writes them (Adobe marker, inverted values), the same samples declared
     * YCCK, and with no Adobe marker at all, against Pillow's own {@code convert("RGB")} of each
     * (make_fixtures.py beside them). Both decoders use libjpeg's integer IDCT, so the values agree to
     * a level; javax.imageio alone reads the four bands as if they were RGBA.
     */
    @Test
    void cmykJpegsAreConvertedAsPilConvertsThem() throws Exception {
        for (String name : new String[] {"cmyk-adobe", "cmyk-ycck", "cmyk-plain"}) {
            BufferedImage pil = ImageIO.read(fixture(name + ".rgb.png").toFile());
            int w = pil.getWidth();
            int h = pil.getHeight();
            float[] ours = ImageFiles.load(fixture(name + ".jpg"), 3, h, w);
            int worst = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = pil.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        int expected = (rgb >> (16 - 8 * c)) & 0xff;
                        int actual = Math.round(ours[c * h * w + y * w + x] * 255);
                        worst = Math.max(worst, Math.abs(expected - actual));
                    }
                }
            }
            assertTrue(worst <= 1, name + ": a value differs from Pillow's by " + worst + " levels");
        }
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(ImageFilesTest.class.getResource("cmyk/" + name).toURI());
    }
}
