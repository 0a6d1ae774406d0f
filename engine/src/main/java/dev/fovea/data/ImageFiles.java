package dev.fovea.data;

import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one PNG or JPEG file (through javax.imageio) into a {@code [C, H, W]} float array in [0,1],
 * resized with bilinear interpolation; one channel means grey (ITU-R 601 luma, as PIL's "L" mode),
 * three mean RGB. Transparent pixels are composed over black, or as {@link ImagePreprocessing} says
 * (which also inverts and keeps the aspect ratio). The declared image size is checked before
 * decoding, so a file that claims a huge canvas cannot exhaust memory.
 */
public final class ImageFiles {
    /** Largest decoded canvas: 8192 x 8192 pixels (256 MiB as ARGB). */
    static final long MAX_PIXELS = 8192L * 8192L;
    static final long MAX_FILE_BYTES = 256L << 20;
    private static final java.util.Set<String> FORMATS = java.util.Set.of("png", "jpeg", "bmp", "gif");

    private ImageFiles() {
    }

    /** Reads {@code file} as {@code channels} (1 or 3) planes of {@code height x width}, as training does. */
    public static float[] load(Path file, int channels, int height, int width) throws IOException {
        return load(file, channels, height, width, ImagePreprocessing.TRAINING);
    }

    /** Reads {@code file} as {@code channels} (1 or 3) planes of {@code height x width}, preprocessed by {@code how}. */
    public static float[] load(Path file, int channels, int height, int width, ImagePreprocessing how) throws IOException {
        if ((channels != 1 && channels != 3) || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image loading: expected 1 or 3 channels and a positive size, got "
                    + channels + "x" + height + "x" + width);
        }
        byte[] bytes = FileBytes.read(file, MAX_FILE_BYTES);
        BufferedImage image = decode(file.toString(), bytes);
        return toPlanes(resize(how.invert() ? inverted(image) : image, height, width, how), channels);
    }

    private static BufferedImage decode(String name, byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = reader(in);
            if (reader == null) {
                throw new FormatException(name, "image format", "expected a PNG or JPEG image (or BMP, GIF), the content is none of these");
            }
            String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w < 1 || h < 1 || w * h > MAX_PIXELS) {
                    throw new FormatException(name, format + " header.size", "expected a canvas of 1.." + MAX_PIXELS
                            + " pixels, the header declares " + w + "x" + h);
                }
                FileBytes.checkHeap(name, format + " header.size", w * h * Integer.BYTES * 2);
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw new FormatException(name, format + " image data", "the decoder returned no image");
                }
                return image;
            } catch (IOException | RuntimeException e) {
                if (e instanceof FormatException fe) {
                    throw fe;
                }
                // Decoders report corrupt data as IIOException or as unchecked exceptions from deep inside.
                throw new FormatException(name, format + " image data", "cannot decode: " + e, e);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new FormatException(name, "image data", "cannot decode: " + e, e);
        }
    }

    /**
     * A reader for a format with a signature. ImageIO's WBMP reader has none to speak of and would
     * turn arbitrary bytes into an image, so only these formats are tried.
     */
    private static ImageReader reader(ImageInputStream in) {
        for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
            ImageReader r = it.next();
            try {
                if (FORMATS.contains(r.getFormatName().toLowerCase(java.util.Locale.ROOT))) {
                    return r;
                }
            } catch (IOException e) {
                // A reader that cannot even name its format is skipped.
            }
            r.dispose();
        }
        return null;
    }

    /** The colours inverted, transparency kept. */
    private static BufferedImage inverted(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                out.setRGB(x, y, src.getRGB(x, y) ^ 0x00ffffff);
            }
        }
        return out;
    }

    /** Over an opaque canvas of the background colour: stretched, or scaled to fit and centred. */
    private static BufferedImage resize(BufferedImage src, int height, int width, ImagePreprocessing how) {
        BufferedImage dst = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        try {
            g.setColor(new java.awt.Color(how.backgroundRgb()));
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            if (how.keepAspect()) {
                double scale = Math.min((double) width / src.getWidth(), (double) height / src.getHeight());
                int w = Math.max(1, (int) Math.round(src.getWidth() * scale));
                int h = Math.max(1, (int) Math.round(src.getHeight() * scale));
                g.drawImage(src, (width - w) / 2, (height - h) / 2, w, h, null);
            } else {
                g.drawImage(src, 0, 0, width, height, null);
            }
        } finally {
            g.dispose();
        }
        return dst;
    }

    private static float[] toPlanes(BufferedImage img, int channels) {
        int h = img.getHeight();
        int w = img.getWidth();
        int plane = h * w;
        float[] out = new float[channels * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                int i = y * w + x;
                if (channels == 1) {
                    out[i] = Math.round(0.299f * r + 0.587f * g + 0.114f * b) / 255f;
                } else {
                    out[i] = r / 255f;
                    out[plane + i] = g / 255f;
                    out[2 * plane + i] = b / 255f;
                }
            }
        }
        return out;
    }
}
