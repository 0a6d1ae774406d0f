package dev.fovea.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Series s : series) {
            // XChart rejects non-finite values; a diverged run still gets its chart up to that point.
            double[][] finite = finitePoints(s.x(), s.y());
            if (finite[0].length > 0) {
                chart.addSeries(s.name(), finite[0], finite[1]);
            }
        }
        write(png, () -> BitmapEncoder.saveBitmap(chart, stripPng(png), BitmapEncoder.BitmapFormat.PNG));
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
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(900, 140 * categories.size())).height(600)
                .title(title).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        if (logarithmic) {
            // XChart starts bars at zero unless told otherwise, which a log axis cannot show.
            double smallest = series.values().stream().flatMapToDouble(Arrays::stream)
                    .filter(v -> v > 0 && Double.isFinite(v)).min().orElse(1);
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(smallest))));
        }
        for (Map.Entry<String, double[]> e : new LinkedHashMap<>(series).entrySet()) {
            if (e.getValue().length != categories.size()) {
                throw new IllegalArgumentException("bar series '" + e.getKey() + "' has " + e.getValue().length
                        + " values for " + categories.size() + " categories");
            }
            List<Double> values = Arrays.stream(e.getValue()).mapToObj(v -> barValue(v, logarithmic)).toList();
            chart.addSeries(e.getKey(), categories, values);
        }
        write(png, () -> BitmapEncoder.saveBitmap(chart, stripPng(png), BitmapEncoder.BitmapFormat.PNG));
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
