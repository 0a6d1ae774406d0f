package dev.fovea.data;

import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import dev.fovea.io.Limits;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one PNG or JPEG file (through javax.imageio) into a {@code [C, H, W]} float array in [0,1],
 * resized with bilinear interpolation; one channel means grey (ITU-R 601 luma, as PIL's "L" mode),
 * three mean RGB. Transparent pixels are composed over black, or as {@link ImagePreprocessing} says
 * (which also inverts and keeps the aspect ratio). CMYK JPEGs are converted to RGB as PIL converts
 * them ({@link CmykJpeg}).
 *
 * <p>Before decoding, the declared canvas is checked against {@link Limits#IMAGE_PIXELS} and what
 * the decoder will allocate for its bit depth and colour type against the free heap
 * ({@link #decodeBytes}), so a small file that declares a huge canvas cannot exhaust memory. A
 * truncated image is refused, as PIL refuses it by default, rather than decoded with the missing
 * part filled in: a PNG must hold every chunk whole up to IEND with intact CRCs
 * ({@link PngChunks}), and a JPEG decode must not report missing data.
 */
public final class ImageFiles {
    private static final java.util.Set<String> FORMATS = java.util.Set.of("png", "jpeg", "bmp", "gif");
    /** The JPEG decoder's warnings that mean the data ran out (libjpeg then fills the rest with grey). */
    private static final Pattern TRUNCATED = Pattern.compile("(?i)truncated|premature end");

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
        byte[] bytes = FileBytes.read(file, Limits.IMAGE_FILE_BYTES, "the limit for image files");
        BufferedImage image = decode(file.toString(), bytes);
        return toPlanes(resize(how.invert() ? inverted(image) : image, height, width, how), channels);
    }

    /**
     * Bytes the decoder and the resize allocate for a {@code width x height} image decoded as
     * {@code type}: up to twice the decoded raster (the PNG and JPEG readers fill a second raster of
     * the same layout for 8-bit RGB and RGBA), plus 4 bytes a pixel for the ARGB copy that drawing an
     * image of any other layout makes; 1 MiB covers the readers' row buffers and tables.
     * ImageFilesMemoryTest measures every PNG colour type and bit depth, JPEG (RGB, grey, CMYK), BMP
     * and GIF against it.
     */
    static long decodeBytes(ImageTypeSpecifier type, long width, long height) {
        SampleModel sm = type.getSampleModel(1, 1);
        // Packed layouts (1, 2 and 4-bit grey and palette) are counted as a byte a pixel.
        long rasterBytes = Math.max(1, sm.getNumDataElements() * (long) DataBuffer.getDataTypeSize(sm.getDataType()) / 8);
        return width * height * (2 * rasterBytes + 4) + (1 << 20);
    }

    private static BufferedImage decode(String name, byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = reader(in);
            if (reader == null) {
                throw new FormatException(name, "image format", "expected a PNG or JPEG image (or BMP, GIF), the content is none of these");
            }
            String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
            List<String> truncated = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                if (TRUNCATED.matcher(warning).find()) {
                    truncated.add(warning);
                }
            });
            try {
                // JPEG metadata holds the Adobe marker CmykJpeg needs (segments of at most 64 KiB); a PNG's
                // may hold compressed text, which is not worth inflating.
                reader.setInput(in, true, !format.equals("jpeg"));
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w < 1 || h < 1 || w * h > Limits.IMAGE_PIXELS) {
                    throw new FormatException(name, format + " header.size", "expected a canvas of 1.." + Limits.IMAGE_PIXELS
                            + " pixels (the limit for images), the header declares " + w + "x" + h);
                }
                if (format.equals("png")) {
                    PngChunks.check(name, bytes);
                }
                Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
                if (!types.hasNext()) {
                    throw new FormatException(name, format + " colour type", "the decoder has no image type for it");
                }
                FileBytes.checkHeap(name, format + " header.size", decodeBytes(types.next(), w, h));
                BufferedImage image = format.equals("jpeg") && CmykJpeg.isCmyk(reader) ? CmykJpeg.read(name, reader)
                        : reader.read(0);
                if (!truncated.isEmpty()) {
                    throw truncated(name, format, truncated.get(0), null);
                }
                if (image == null) {
                    throw new FormatException(name, format + " image data", "the decoder returned no image");
                }
                return image;
            } catch (IOException | RuntimeException e) {
                if (e instanceof FormatException fe) {
                    throw fe;
                }
                if (!truncated.isEmpty()) {
                    throw truncated(name, format, truncated.get(0) + "; " + e, e);
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

    private static FormatException truncated(String name, String format, String what, Exception cause) {
        return new FormatException(name, format + " image data", "the file is truncated or its data ends early ("
                + what + "); refused rather than decoded with the missing part filled in", cause);
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

    /**
     * The colours inverted, transparency kept. The ARGB copy is the one {@link #decodeBytes} counts
     * for drawing (an ARGB image is drawn without another).
     */
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
