package dev.fovea.report;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes C feature maps of size H x W as one grey-level PNG grid. Each map is stretched to the full
 * 0..255 range on its own, since activations of different channels differ by orders of magnitude.
 * A titled grid says above the maps what they are (layer, size, source image) and labels each map
 * with its channel index, so that a picture found later still explains itself.
 */
public final class FeatureMapGrid {
    private static final int GAP = 2;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

    private FeatureMapGrid() {
    }

    /**
     * The maps alone, in a grid of near-square shape.
     *
     * @param maps  C*H*W values, channel-major (one NCHW sample)
     * @param scale pixels per activation (nearest-neighbour), so small maps stay visible
     */
    public static BufferedImage render(float[] maps, int c, int h, int w, int scale) {
        return render(maps, c, h, w, scale, null);
    }

    /** The maps with {@code title} above them and each map's channel index above it (no title: the bare grid). */
    public static BufferedImage render(float[] maps, int c, int h, int w, int scale, String title) {
        if ((long) c * h * w != maps.length) {
            throw new IllegalArgumentException("feature maps: " + maps.length + " values for " + c + "x" + h + "x" + w);
        }
        if (scale < 1) {
            throw new IllegalArgumentException("feature maps: scale must be at least 1, got " + scale);
        }
        boolean titled = title != null;
        FontMetrics labelFm = metrics(LABEL);
        FontMetrics titleFm = metrics(TITLE);
        int cols = (int) Math.ceil(Math.sqrt(c));
        int rows = (c + cols - 1) / cols;
        int labelH = titled ? labelFm.getHeight() : 0;
        int cellW = Math.max(w * scale, titled ? labelFm.stringWidth(Integer.toString(c - 1)) + 2 : 0);
        int cellH = h * scale + labelH;
        int headerH = titled ? titleFm.getHeight() + 2 * GAP : 0;
        int width = Math.max(cols * (cellW + GAP) + GAP, titled ? titleFm.stringWidth(title) + 8 * GAP : 0);
        BufferedImage img = new BufferedImage(width, headerH + rows * (cellH + GAP) + GAP, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.DARK_GRAY);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            if (titled) {
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g.setColor(Color.WHITE);
                g.setFont(TITLE);
                g.drawString(title, 2 * GAP, GAP + titleFm.getAscent());
                g.setFont(LABEL);
                g.setColor(Color.LIGHT_GRAY);
                for (int ch = 0; ch < c; ch++) {
                    g.drawString(Integer.toString(ch), GAP + (ch % cols) * (cellW + GAP),
                            headerH + GAP + (ch / cols) * (cellH + GAP) + labelFm.getAscent());
                }
            }
        } finally {
            g.dispose();
        }
        var raster = img.getRaster();
        for (int ch = 0; ch < c; ch++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < h * w; i++) {
                float v = maps[ch * h * w + i];
                if (Float.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            float range = max > min ? max - min : 1f;
            int ox = GAP + (ch % cols) * (cellW + GAP);
            int oy = headerH + GAP + (ch / cols) * (cellH + GAP) + labelH;
            for (int y = 0; y < h * scale; y++) {
                for (int x = 0; x < w * scale; x++) {
                    float v = maps[ch * h * w + (y / scale) * w + x / scale];
                    int grey = Float.isFinite(v) ? Math.round((v - min) / range * 255f) : 0;
                    raster.setSample(ox + x, oy + y, 0, grey);
                }
            }
        }
        return img;
    }

    private static FontMetrics metrics(Font f) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY).createGraphics();
        try {
            return g.getFontMetrics(f);
        } finally {
            g.dispose();
        }
    }

    public static void write(Path png, float[] maps, int c, int h, int w, int scale) {
        write(png, maps, c, h, w, scale, null);
    }

    /** Writes the (titled, when {@code title} is not null) grid as PNG, creating parent directories. */
    public static void write(Path png, float[] maps, int c, int h, int w, int scale, String title) {
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ImageIO.write(render(maps, c, h, w, scale, title), "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write feature maps " + png + ": " + e.getMessage(), e);
        }
    }
}
