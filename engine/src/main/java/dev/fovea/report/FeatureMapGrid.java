package dev.fovea.report;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes C feature maps of size H x W as one grey-level PNG grid. Each map is stretched to the full
 * 0..255 range on its own, since activations of different channels differ by orders of magnitude.
 */
public final class FeatureMapGrid {
    private FeatureMapGrid() {
    }

    /**
     * @param maps  C*H*W values, channel-major (one NCHW sample)
     * @param scale pixels per activation (nearest-neighbour), so small maps stay visible
     */
    public static BufferedImage render(float[] maps, int c, int h, int w, int scale) {
        if ((long) c * h * w != maps.length) {
            throw new IllegalArgumentException("feature maps: " + maps.length + " values for " + c + "x" + h + "x" + w);
        }
        int cols = (int) Math.ceil(Math.sqrt(c));
        int rows = (c + cols - 1) / cols;
        int gap = 2;
        int cellW = w * scale;
        int cellH = h * scale;
        BufferedImage img = new BufferedImage(cols * (cellW + gap) + gap, rows * (cellH + gap) + gap,
                BufferedImage.TYPE_BYTE_GRAY);
        var g = img.createGraphics();
        g.setColor(java.awt.Color.DARK_GRAY);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.dispose();
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
            int ox = gap + (ch % cols) * (cellW + gap);
            int oy = gap + (ch / cols) * (cellH + gap);
            for (int y = 0; y < cellH; y++) {
                for (int x = 0; x < cellW; x++) {
                    float v = maps[ch * h * w + (y / scale) * w + x / scale];
                    int grey = Float.isFinite(v) ? Math.round((v - min) / range * 255f) : 0;
                    raster.setSample(ox + x, oy + y, 0, grey);
                }
            }
        }
        return img;
    }

    public static void write(Path png, float[] maps, int c, int h, int w, int scale) {
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ImageIO.write(render(maps, c, h, w, scale), "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write feature maps " + png + ": " + e.getMessage(), e);
        }
    }
}
