package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heap check before decoding must cover what decoding really allocates, for every PNG colour
 * type and bit depth and the other formats: this measures the bytes the decode and resize allocate
 * (the JVM's per-thread allocation counter) and compares them with {@link ImageFiles#decodeBytes}.
 * A 16-bit RGBA PNG allocates about 12 bytes a pixel; the check used to assume 8.
 */
class ImageFilesMemoryTest {
    private static final int SIDE = 512;

    @TempDir
    Path dir;

    private record Sample(String name, byte[] bytes) {
    }

    @Test
    void theEstimateCoversWhatEachColourTypeAndBitDepthAllocates() throws IOException {
        List<Sample> samples = new ArrayList<>();
        int[][] png = {{PngBytes.GREY, 1}, {PngBytes.GREY, 2}, {PngBytes.GREY, 4}, {PngBytes.GREY, 8}, {PngBytes.GREY, 16},
            {PngBytes.RGB, 8}, {PngBytes.RGB, 16}, {PngBytes.PALETTE, 1}, {PngBytes.PALETTE, 2}, {PngBytes.PALETTE, 4},
            {PngBytes.PALETTE, 8}, {PngBytes.GREY_ALPHA, 8}, {PngBytes.GREY_ALPHA, 16}, {PngBytes.RGBA, 8},
            {PngBytes.RGBA, 16}};
        for (int[] t : png) {
            samples.add(new Sample("png colour type " + t[0] + ", " + t[1] + "-bit", PngBytes.image(SIDE, SIDE, t[0], t[1], true)));
        }
        BufferedImage rgb = ImageFilesTest.detailed(SIDE, SIDE);
        BufferedImage grey = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(rgb, 0, 0, null);
        for (String format : new String[] {"jpg", "bmp", "gif"}) {
            samples.add(new Sample(format + " rgb", ImageFolderTest.encode(rgb, format)));
        }
        samples.add(new Sample("jpg grey", ImageFolderTest.encode(grey, "jpg")));
        samples.add(new Sample("jpg cmyk", cmykJpeg(SIDE)));

        Path p = dir.resolve("image");
        for (Sample s : samples) {
            Files.write(p, s.bytes());
            ImageFiles.load(p, 3, 28, 28); // loads the decoder's classes and tables once
            long before = allocated();
            ImageFiles.load(p, 3, 28, 28);
            long decoding = allocated() - before - s.bytes().length; // the file's bytes are checked on their own
            long estimate = estimate(s.bytes());
            assertTrue(decoding <= estimate, s.name() + ": decoding allocated " + decoding + " bytes, the heap check assumed "
                    + estimate);
        }
    }

    private static long estimate(byte[] bytes) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader r = ImageIO.getImageReaders(in).next();
            r.setInput(in);
            return ImageFiles.decodeBytes(r.getImageTypes(0).next(), r.getWidth(0), r.getHeight(0));
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** A four-component JPEG as javax.imageio writes a raster (no Adobe marker). */
    static byte[] cmykJpeg(int side) throws IOException {
        WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, side, side, 4, null);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                cmyk.setPixel(x, y, new int[] {x % 256, y % 256, (x * y) % 256, (x + y) % 256});
            }
        }
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream o = ImageIO.createImageOutputStream(out)) {
            w.setOutput(o);
            w.write(null, new IIOImage(cmyk, null, null), null);
        } finally {
            w.dispose();
        }
        return out.toByteArray();
    }
}
