package dev.fovea.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PNG charts for what people would rather see than read: training curves and benchmark
 * comparisons. Rendering is XChart's (headless Java2D), so no display is needed.
 */
public final class Charts {
    private Charts() {
    }

    /** One named line: x and y values of equal length. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but "
                        + y.length + " y values");
            }
        }
    }

    /** A line chart with one line per series, written as PNG (parent directories created). */
    public static void lines(Path png, String title, String xLabel, String yLabel, List<Series> series) {
        XYChart chart = lineChart(title, xLabel, yLabel, series);
        write(png, () -> BitmapEncoder.saveBitmap(chart, stripPng(png), BitmapEncoder.BitmapFormat.PNG));
    }

    /**
     * Training curves: x is the epoch, labelled with whole numbers only (1.5 is no epoch); labels turn
     * upright once epochs have three digits, so that they never run into each other; markers are
     * dropped once they would merge into a line.
     */
    public static void epochLines(Path png, String title, String yLabel, List<Series> series) {
        XYChart chart = epochChart(title, yLabel, series);
        write(png, () -> BitmapEncoder.saveBitmap(chart, stripPng(png), BitmapEncoder.BitmapFormat.PNG));
    }

    static XYChart epochChart(String title, String yLabel, List<Series> series) {
        XYChart chart = lineChart(title, "epoch", yLabel, series);
        double last = series.stream().flatMapToDouble(s -> Arrays.stream(s.x())).filter(Double::isFinite).max().orElse(1);
        chart.setCustomXAxisTickLabelsFormatter(Charts::epochLabel);
        if (last >= 100) {
            chart.getStyler().setXAxisLabelRotation(90);
        }
        if (last > 40) {
            chart.getStyler().setMarkerSize(0);
        }
        return chart;
    }

    /** An x tick's label on an epoch axis: the epoch, or nothing between two epochs. */
    static String epochLabel(double x) {
        return Math.abs(x - Math.rint(x)) < 1e-9 ? Long.toString(Math.round(x)) : "";
    }

    static XYChart lineChart(String title, String xLabel, String yLabel, List<Series> series) {
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        // Below the plot, where no line can pass under it.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Series s : series) {
            // XChart rejects non-finite values; a diverged run still gets its chart up to that point.
            double[][] finite = finitePoints(s.x(), s.y());
            if (finite[0].length > 0) {
                chart.addSeries(s.name(), finite[0], finite[1]);
            }
        }
        return chart;
    }

    /**
     * Grouped bars: one group per category, one bar per series (e.g. ops x backends). Values are
     * labelled on the bars; pass category names that already carry annotations such as speed-ups.
     */
    public static void groupedBars(Path png, String title, String yLabel, List<String> categories,
                                   Map<String, double[]> series) {
        groupedBars(png, title, yLabel, categories, series, false);
    }

    /**
     * Grouped bars as above; {@code logarithmic} puts the y axis on a log scale, for values that span
     * orders of magnitude (rates of different ops, CPU beside GPU). A missing (non-positive) value
     * then draws no bar.
     */
    public static void groupedBars(Path png, String title, String yLabel, List<String> categories,
                                   Map<String, double[]> series, boolean logarithmic) {
        barPanels(png, title, List.of(new BarPanel(yLabel, categories, series)), logarithmic);
    }

    /** One bar chart of a stack: its y axis's title (one unit), categories, and one value per category and series. */
    public record BarPanel(String yLabel, List<String> categories, Map<String, double[]> series) {
        public BarPanel {
            for (Map.Entry<String, double[]> e : series.entrySet()) {
                if (e.getValue().length != categories.size()) {
                    throw new IllegalArgumentException("bar series '" + e.getKey() + "' has " + e.getValue().length
                            + " values for " + categories.size() + " categories");
                }
            }
            categories = List.copyOf(categories);
            series = new LinkedHashMap<>(series);
        }
    }

    /**
     * Bar charts stacked in one PNG, {@code title} above the first: one panel per unit, so that no
     * axis mixes GFLOP/s with images/s. Category labels stand upright under their own group of bars
     * (slanted labels of XChart start under the group before), and the legend sits below the bars.
     */
    public static void barPanels(Path png, String title, List<BarPanel> panels, boolean logarithmic) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("bar chart " + png + ": nothing to draw");
        }
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < panels.size(); i++) {
            images.add(BitmapEncoder.getBufferedImage(barChart(i == 0 ? title : "", panels.get(i), logarithmic)));
        }
        int gap = 16;
        int width = images.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
        int height = images.stream().mapToInt(img -> img.getHeight() + gap).sum();
        BufferedImage all = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = all.createGraphics();
        try {
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, width, height);
            int y = 0;
            for (BufferedImage img : images) {
                g.drawImage(img, 0, y, null);
                y += img.getHeight() + gap;
            }
        } finally {
            g.dispose();
        }
        write(png, () -> {
            if (!javax.imageio.ImageIO.write(all, "png", png.toFile())) {
                throw new IOException("no PNG writer");
            }
        });
    }

    /** One panel; {@code logarithmic} asks for a log axis, which it gets when its values span more than 20x. */
    static CategoryChart barChart(String title, BarPanel panel, boolean logarithmic) {
        int longest = panel.categories().stream().mapToInt(String::length).max().orElse(0);
        double[] range = panel.series().values().stream().flatMapToDouble(Arrays::stream)
                .filter(v -> v > 0 && Double.isFinite(v)).sorted().toArray();
        // A log axis shows only its decades: within one decade or two, a linear axis reads better.
        boolean log = logarithmic && range.length > 0 && range[range.length - 1] / range[0] > 20;
        // Upright labels take about 8 pixels per character below the plot.
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(900, 110 * panel.categories().size()))
                .height(380 + 8 * longest).title(title).yAxisTitle(panel.yLabel() + (log ? " (log scale)" : "")).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,##0.###");
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        if (log) {
            // XChart starts bars at zero unless told otherwise, which a log axis cannot show.
            double smallest = panel.series().values().stream().flatMapToDouble(Arrays::stream)
                    .filter(v -> v > 0 && Double.isFinite(v)).min().orElse(1);
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(smallest))));
        }
        for (Map.Entry<String, double[]> e : panel.series().entrySet()) {
            List<Double> values = Arrays.stream(e.getValue()).mapToObj(v -> barValue(v, log)).toList();
            chart.addSeries(e.getKey(), panel.categories(), values);
        }
        return chart;
    }

    /** XChart rejects non-finite values, and a log axis non-positive ones: those draw no bar (null) or a zero bar. */
    private static Double barValue(double v, boolean logarithmic) {
        if (logarithmic) {
            return v > 0 && Double.isFinite(v) ? v : null;
        }
        return Double.isFinite(v) ? v : 0.0;
    }

    private static double[][] finitePoints(double[] x, double[] y) {
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                n++;
            }
        }
        double[][] out = {new double[n], new double[n]};
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                out[0][k] = x[i];
                out[1][k++] = y[i];
            }
        }
        return out;
    }

    /** XChart appends the extension itself. */
    private static String stripPng(Path png) {
        String s = png.toString();
        return s.toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? s.substring(0, s.length() - 4) : s;
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void write(Path png, IoAction action) {
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + png + ": " + e.getMessage(), e);
        }
    }
}
