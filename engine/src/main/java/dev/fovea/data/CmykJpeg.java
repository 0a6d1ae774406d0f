package dev.fovea.data;

import dev.fovea.io.FormatException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Four-component (CMYK) JPEGs, which javax.imageio decodes into an image of four anonymous bands
 * that drawing then misreads as RGBA. They are read as raw samples and converted to RGB as PIL's
 * {@code Image.open(f).convert("RGB")} does, so a model sees what it would see in PyTorch:
 *
 * <ul>
 * <li>An Adobe APP14 marker with transform 2 means YCCK: Y, Cb and Cr become R, G and B by libjpeg's
 * fixed-point JFIF equations (libjpeg's CMYK is then 255 - R, 255 - G, 255 - B, K).</li>
 * <li>CMYK values are taken as stored inverted (Adobe's convention, which Photoshop and PIL follow
 * when writing), with or without an Adobe marker, as PIL's "CMYK;I" raw mode assumes.</li>
 * <li>CMYK to RGB is PIL's {@code cmyk2rgb}: {@code R = (255 - K) - (C * (255 - K)) / 255}, rounded as
 * PIL's MULDIV255, likewise G from M and B from Y. No colour profile is applied (nor by PIL).</li>
 * </ul>
 */
final class CmykJpeg {
    private static final String FORMAT = "javax_imageio_jpeg_image_1.0";
    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);

    private CmykJpeg() {
    }

    /** Whether the reader's current JPEG has four components. */
    static boolean isCmyk(ImageReader reader) throws IOException {
        Element sof = first(tree(reader), "sof");
        return sof != null && "4".equals(sof.getAttribute("numFrameComponents"));
    }

    /** Decodes the reader's current (four-component) JPEG to RGB. */
    static BufferedImage read(String name, ImageReader reader) throws IOException {
        Element adobe = first(tree(reader), "app14Adobe");
        int transform = adobe == null ? -1 : Integer.parseInt(adobe.getAttribute("transform"));
        if (transform != -1 && transform != 0 && transform != 2) {
            throw new FormatException(name, "jpeg app14Adobe.transform", "expected 0 (CMYK) or 2 (YCCK) for a "
                    + "four-component JPEG, found " + transform);
        }
        Raster raw = reader.readRaster(0, null);
        int w = raw.getWidth();
        int h = raw.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w * 4];
        int[] rgb = new int[w];
        for (int y = 0; y < h; y++) {
            raw.getPixels(raw.getMinX(), raw.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                rgb[x] = toRgb(row[4 * x], row[4 * x + 1], row[4 * x + 2], row[4 * x + 3], transform);
            }
            out.setRGB(0, y, w, 1, rgb, 0, w);
        }
        return out;
    }

    /** One pixel's stored samples as 0xRRGGBB; {@code transform} is the Adobe marker's, -1 without one. */
    static int toRgb(int s0, int s1, int s2, int s3, int transform) {
        int c;
        int m;
        int yl;
        int k;
        if (transform == 2) {
            // libjpeg gives CMY = 255 - RGB of the YCC samples; inverted (Adobe) that is RGB itself.
            c = clamp(s0 + ((fix(1.40200) * (s2 - 128) + ONE_HALF) >> SCALEBITS));
            m = clamp(s0 + ((-fix(0.34414) * (s1 - 128) - fix(0.71414) * (s2 - 128) + ONE_HALF) >> SCALEBITS));
            yl = clamp(s0 + ((fix(1.77200) * (s1 - 128) + ONE_HALF) >> SCALEBITS));
            k = 255 - s3;
        } else {
            c = 255 - s0;
            m = 255 - s1;
            yl = 255 - s2;
            k = 255 - s3;
        }
        int nk = 255 - k;
        return clamp(nk - mulDiv255(c, nk)) << 16 | clamp(nk - mulDiv255(m, nk)) << 8 | clamp(nk - mulDiv255(yl, nk));
    }

    /** a * b / 255 rounded as PIL's MULDIV255 macro. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static Node tree(ImageReader reader) throws IOException {
        IIOMetadata md = reader.getImageMetadata(0);
        return md == null ? null : md.getAsTree(FORMAT);
    }

    private static Element first(Node root, String tag) {
        if (!(root instanceof Element e)) {
            return null;
        }
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : (Element) l.item(0);
    }
}
