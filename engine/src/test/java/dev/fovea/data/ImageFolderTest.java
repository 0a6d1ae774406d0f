package dev.fovea.data;

import static dev.fovea.io.FormatAssertions.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path dir;

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IllegalStateException("no " + format + " writer");
        }
        return out.toByteArray();
    }

    static BufferedImage solid(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, c.getRGB());
            }
        }
        return img;
    }

    private Path write(String relative, byte[] bytes) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    @Test
    void sortedSubfoldersAreTheClassesAndImagesAreResized() throws IOException {
        write("zebra/a.png", encode(solid(6, 4, new Color(255, 0, 0)), "png"));
        write("apple/b.png", encode(solid(3, 3, new Color(0, 0, 255)), "png"));
        write("apple/c.jpg", encode(solid(8, 8, new Color(0, 255, 0)), "jpg"));
        write("apple/.DS_Store", new byte[] {1, 2, 3});
        write("README.txt", "files in the root are not classes".getBytes());
        Dataset d = ImageFolder.read(dir, 3, 2, 2);
        assertEquals(List.of("apple", "zebra"), d.classNames());
        assertArrayEquals(new int[] {0, 0, 1}, d.labels());
        assertEquals(dev.fovea.tensor.Shape.of(3, 3, 2, 2), d.shape());
        float[] blue = Arrays.copyOfRange(d.images(), 0, 12);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, blue, 0f, "solid colours survive resizing exactly");
        float[] green = Arrays.copyOfRange(d.images(), 12, 24);
        for (int i = 0; i < 4; i++) {
            // JPEG is lossy: a few levels of error on a solid colour.
            assertEquals(0f, green[i], 6 / 255f);
            assertEquals(1f, green[4 + i], 6 / 255f);
            assertEquals(0f, green[8 + i], 6 / 255f);
        }
        assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, Arrays.copyOfRange(d.images(), 24, 36), 0f);
    }

    @Test
    void greyUsesRec601Luma() throws IOException {
        Path p = write("x/red.png", encode(solid(2, 2, new Color(255, 0, 0)), "png"));
        float[] grey = ImageFiles.load(p, 1, 1, 1);
        assertArrayEquals(new float[] {76 / 255f}, grey, 0f, "round(0.299 * 255) = 76");
    }

    @Test
    void bilinearDownscaleAveragesNeighbours() throws IOException {
        BufferedImage img = solid(2, 1, Color.BLACK);
        img.setRGB(1, 0, Color.WHITE.getRGB());
        Path p = write("x/half.png", encode(img, "png"));
        float v = ImageFiles.load(p, 1, 1, 1)[0];
        // Sampling at the centre of a 2-pixel row blends the two pixels; nearest-neighbour would give 0 or 1.
        assertEquals(0.5f, v, 2 / 255f);
    }

    @Test
    void rootWithoutClassFoldersIsRejected() throws IOException {
        write("only-a-file.png", encode(solid(1, 1, Color.RED), "png"));
        assertMalformed(dir.toString(), "class folders", "found none", () -> ImageFolder.read(dir, 1, 4, 4));
    }

    @Test
    void emptyClassFolderIsRejectedByName() throws IOException {
        write("cats/a.png", encode(solid(1, 1, Color.RED), "png"));
        Files.createDirectories(dir.resolve("dogs"));
        assertMalformed(dir.resolve("dogs").toString(), "class folder", "the folder is empty", () -> ImageFolder.read(dir, 1, 4, 4));
    }

    @Test
    void nonImageFileIsRejectedByName() throws IOException {
        write("cats/a.png", encode(solid(1, 1, Color.RED), "png"));
        Path notes = write("cats/notes.txt", "hello".getBytes());
        assertMalformed(notes.toString(), "image format", "expected a PNG or JPEG", () -> ImageFolder.read(dir, 1, 4, 4));
    }

    @Test
    void truncatedImageIsRejectedByName() throws IOException {
        byte[] png = encode(solid(16, 16, Color.RED), "png");
        Path p = write("cats/cut.png", Arrays.copyOf(png, 40));
        assertMalformed(p.toString(), "png chunk 1", "the file is truncated", () -> ImageFolder.read(dir, 1, 4, 4));
    }

    @Test
    void hugeDeclaredCanvasFailsBeforeDecoding() throws IOException {
        byte[] png = encode(solid(4, 4, Color.RED), "png");
        // IHDR data: bytes 16..28 (width, height, ...); its CRC follows at 29.
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, 100_000).putInt(20, 100_000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        Path p = write("cats/bomb.png", png);
        assertMalformed(p.toString(), "png header.size", "declares 100000x100000", () -> ImageFolder.read(dir, 1, 4, 4));
    }
}
