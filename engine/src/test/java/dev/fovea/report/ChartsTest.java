package dev.fovea.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {

    @Test
    void lineChartIsAReadablePngWithContent(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("curves/loss.png");
        Charts.lines(png, "loss", "epoch", "loss", List.of(
                new Charts.Series("train", new double[] {1, 2, 3}, new double[] {2.0, 1.0, 0.5}),
                new Charts.Series("test", new double[] {1, 2, 3}, new double[] {2.1, 1.2, Double.NaN})));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(540, img.getHeight());
        assertTrue(distinctColours(img) > 5, "a chart has more than a blank background");
    }

    @Test
    void groupedBarsCheckTheirSeriesLength(@TempDir Path dir) throws Exception {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("cpu", new double[] {10, 20});
        series.put("cuda", new double[] {100, 400});
        Path png = dir.resolve("bench.png");
        Charts.groupedBars(png, "GFLOP/s", "GFLOP/s", List.of("conv (10x)", "gemm (20x)"), series);
        assertTrue(distinctColours(ImageIO.read(png.toFile())) > 5);
        var e = assertThrows(IllegalArgumentException.class, () -> Charts.groupedBars(dir.resolve("x.png"), "t", "y",
                List.of("a"), Map.of("cpu", new double[] {1, 2})));
        assertEquals("bar series 'cpu' has 2 values for 1 categories", e.getMessage());
    }

    @Test
    void featureMapsAreStretchedPerChannel() {
        // channel 0 spans 0..1, channel 1 spans 100..300: both must reach black and white.
        float[] maps = {0, 1, 0, 1, 100, 300, 300, 100};
        BufferedImage img = FeatureMapGrid.render(maps, 2, 2, 2, 1);
        var r = img.getRaster();
        // 2 channels -> 2 columns, 1 row; gap 2; cells 2x2 at x=2 and x=6.
        assertEquals(0, r.getSample(2, 2, 0));
        assertEquals(255, r.getSample(3, 2, 0));
        assertEquals(0, r.getSample(6, 2, 0));
        assertEquals(255, r.getSample(7, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> FeatureMapGrid.render(maps, 3, 2, 2, 1));
    }

    @Test
    void epochAxesShowWholeEpochsAndLegendsStayOffTheData() {
        assertEquals("3", Charts.epochLabel(3.0));
        assertEquals("", Charts.epochLabel(1.5), "no epoch 1.5");
        double[] x = {1, 2};
        var two = Charts.epochChart("Loss", "loss", List.of(new Charts.Series("train", x, new double[] {2, 1}),
                new Charts.Series("test", x, new double[] {2, 1.5})));
        assertTrue(two.getStyler().getLegendPosition().name().startsWith("Outside"), "the legend is outside the plot");
        assertEquals(0, two.getStyler().getXAxisLabelRotation());
        double[] many = new double[150];
        for (int i = 0; i < many.length; i++) {
            many[i] = i + 1;
        }
        var long150 = Charts.epochChart("Loss", "loss", List.of(new Charts.Series("train", many, many)));
        assertEquals(90, long150.getStyler().getXAxisLabelRotation(), "three-digit epochs stand upright, not overlapping");
        assertEquals(0, long150.getStyler().getMarkerSize(), "150 markers would merge into a thick line");
    }

    @Test
    void aTitledFeatureMapGridSaysWhatItShows() {
        float[] maps = new float[3 * 4 * 4];
        for (int i = 0; i < maps.length; i++) {
            maps[i] = i % 5;
        }
        BufferedImage bare = FeatureMapGrid.render(maps, 3, 4, 4, 2);
        BufferedImage titled = FeatureMapGrid.render(maps, 3, 4, 4, 2, "relu_1 (relu): 3 channels of 4x4, for digit.png");
        assertTrue(titled.getHeight() > bare.getHeight() + 20, "a title band and channel labels");
        assertTrue(titled.getWidth() > 200, "as wide as its title");
        int bright = 0;
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < titled.getWidth(); x++) {
                if (titled.getRaster().getSample(x, y, 0) > 200) {
                    bright++;
                }
            }
        }
        assertTrue(bright > 50, "white title text above the maps: " + bright + " bright pixels");
    }

    @Test
    void barPanelsGiveEachUnitItsOwnAxisAndUprightLabels(@TempDir Path dir) throws Exception {
        Map<String, double[]> flops = new LinkedHashMap<>();
        flops.put("cpu", new double[] {10, 300});
        Map<String, double[]> images = new LinkedHashMap<>();
        images.put("cpu", new double[] {500});
        Path png = dir.resolve("panels.png");
        Charts.barPanels(png, "two units", List.of(new Charts.BarPanel("GFLOP/s", List.of("conv", "gemm"), flops),
                new Charts.BarPanel("images/s", List.of("mnist-cnn train"), images)), true);
        BufferedImage img = ImageIO.read(png.toFile());
        var one = Charts.barChart("t", new Charts.BarPanel("images/s", List.of("mnist-cnn train"), images), true);
        assertTrue(img.getHeight() > 2 * 380, "two panels, one above the other: " + img.getHeight());
        assertEquals(90, one.getStyler().getXAxisLabelRotation(), "labels stand under their own bars");
        assertEquals("images/s", one.getYAxisTitle(), "a single value needs no log axis");
        assertEquals("GFLOP/s (log scale)", Charts.barChart("t", new Charts.BarPanel("GFLOP/s", List.of("conv", "gemm"),
                flops), true).getYAxisTitle(), "values 20x apart get one");
    }

    private static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
