package dev.fovea.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.io.FileBytes;
import dev.fovea.io.FormatException;
import dev.fovea.io.Json;
import dev.fovea.io.Limits;
import dev.fovea.report.Charts;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes benchmark results: an aligned table, JSON ({@code {"environment": {...}, "measurements":
 * [one object per measurement]}}), CSV (one row per measurement) and a PNG of grouped bars, one group
 * per measurement and one bar per backend, whose labels carry each backend's speed-up over the CPU.
 */
public final class BenchReport {
    /** Bench files may come from other tools: read as untrusted JSON. */
    private static final ObjectMapper READER = Json.strict().build();

    /** The backend speed-ups are stated against: the fast CPU backend when it ran. */
    static final String BASELINE = "cpu";
    private static final String ROW = "%-52s %-8s %10s %10s %10s %12s  %s%n";

    private BenchReport() {
    }

    public static void header(PrintWriter out) {
        out.printf(Locale.ROOT, ROW, "workload", "backend", "median ms", "min ms", "max ms", "rate", "engine");
    }

    public static void row(PrintWriter out, Measurement m) {
        out.printf(Locale.ROOT, ROW, m.name(), m.backend(), ms(m.medianMs()), ms(m.minMs()), ms(m.maxMs()),
                String.format(Locale.ROOT, "%.2f", m.rate()) + " " + m.unit().label(), m.engine());
        out.flush();
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, v < 10 ? "%.3f" : "%.1f", v);
    }

    public static void json(Path file, Map<String, String> environment, List<Measurement> ms) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ObjectNode env = root.putObject("environment");
        environment.forEach(env::put);
        ArrayNode list = root.putArray("measurements");
        for (Measurement m : ms) {
            ObjectNode o = list.addObject();
            o.put("name", m.name());
            o.put("workload", m.workload());
            o.put("pass", m.pass());
            o.put("backend", m.backend());
            o.put("median_ms", m.medianMs());
            o.put("min_ms", m.minMs());
            o.put("max_ms", m.maxMs());
            o.put(m.unit().field(), m.rate());
            o.put("engine", m.engine());
            if (m.memory() != null) {
                o.put("batch_size", m.memory().batchSize());
                o.put("planned_training_bytes", m.memory().plannedTrainingBytes());
                o.put("planned_inference_bytes", m.memory().plannedInferenceBytes());
                o.put("parameter_bytes", m.memory().parameterBytes());
                if (m.memory().peakBytes() >= 0) {
                    o.put("peak_bytes", m.memory().peakBytes());
                }
            }
            if (m.activity() != null) {
                StepActivity a = m.activity();
                ObjectNode step = o.putObject("per_training_step");
                step.put("kernel_launches", a.launches());
                step.put("library_calls", a.libraryCalls());
                step.put("uploads", a.uploads());
                step.put("upload_bytes", a.uploadBytes());
                step.put("downloads", a.downloads());
                step.put("download_bytes", a.downloadBytes());
                step.put("device_copies", a.deviceCopies());
                step.put("synchronizations", a.synchronizations());
                step.put("device_allocations", a.allocations());
            }
        }
        createParent(file);
        mapper.writeValue(file.toFile(), root);
    }

    /**
     * The measurements of a file written by {@link #json} (or in its format by another tool, such as
     * scripts/compare_pytorch.py for PyTorch's timings); the fields {@code plot} needs are checked.
     */
    public static List<Measurement> read(Path file) throws IOException {
        JsonNode root;
        try {
            root = READER.readTree(FileBytes.read(file, Limits.BENCH_FILE_BYTES, "the limit for bench files"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FormatException(file.toString(), "JSON", Json.problem(e), e);
        }
        JsonNode list = root == null ? null : root.get("measurements");
        if (list == null || !list.isArray()) {
            throw new FormatException(file.toString(), "measurements", "expected an array of measurements");
        }
        List<Measurement> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode o = list.get(i);
            String where = "measurements[" + i + "]";
            Rate unit = null;
            for (Rate r : Rate.values()) {
                if (o.hasNonNull(r.field())) {
                    unit = r;
                }
            }
            if (unit == null || !o.path("workload").isTextual() || !o.path("backend").isTextual()
                    || !o.path("median_ms").isNumber() || !o.get(unit.field()).isNumber()) {
                throw new FormatException(file.toString(), where, "needs workload, backend, median_ms and one of "
                        + "gflops, gb_per_s or images_per_s (the first two strings, the others numbers)");
            }
            for (String optional : new String[] {"min_ms", "max_ms"}) {
                if (o.has(optional) && !o.get(optional).isNumber()) {
                    throw new FormatException(file.toString(), where + "." + optional, "expected a number");
                }
            }
            double median = o.get("median_ms").asDouble();
            out.add(new Measurement(o.get("workload").asText(), o.path("pass").asText(""), o.get("backend").asText(),
                    median, o.path("min_ms").asDouble(median), o.path("max_ms").asDouble(median), unit,
                    o.get(unit.field()).asDouble(), o.path("engine").asText(""), null, null));
        }
        return out;
    }

    public static void csv(Path file, List<Measurement> ms) throws IOException {
        StringBuilder b = new StringBuilder(
                "name,backend,median_ms,min_ms,max_ms,rate,unit,batch_size,planned_training_bytes,peak_bytes,engine\n");
        for (Measurement m : ms) {
            Measurement.Memory mem = m.memory();
            b.append(csvField(m.name())).append(',').append(m.backend()).append(',')
                    .append(m.medianMs()).append(',').append(m.minMs()).append(',').append(m.maxMs()).append(',')
                    .append(m.rate()).append(',').append(m.unit().field()).append(',')
                    .append(mem == null ? "" : mem.batchSize()).append(',')
                    .append(mem == null ? "" : mem.plannedTrainingBytes()).append(',')
                    .append(mem == null || mem.peakBytes() < 0 ? "" : mem.peakBytes()).append(',')
                    .append(csvField(m.engine())).append('\n');
        }
        createParent(file);
        Files.writeString(file, b, StandardCharsets.UTF_8);
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /**
     * A Markdown table, one row per measurement, with each non-CPU backend's speed-up over "cpu" on the
     * same workload; the environment first as a list.
     */
    public static void markdown(Path file, Map<String, String> environment, List<Measurement> ms) throws IOException {
        StringBuilder b = new StringBuilder();
        environment.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
        b.append("\n| workload | backend | median ms | min ms | max ms | rate | vs cpu | engine |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---|\n");
        Map<String, Double> cpuMedian = new LinkedHashMap<>();
        for (Measurement m : ms) {
            if (m.backend().equals(BASELINE)) {
                cpuMedian.put(m.name(), m.medianMs());
            }
        }
        for (Measurement m : ms) {
            Double base = cpuMedian.get(m.name());
            String vs = base == null || m.backend().equals(BASELINE) ? "" : ratio(base / m.medianMs());
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f %s | %s | %s |%n", m.name(), m.backend(),
                    ms(m.medianMs()), ms(m.minMs()), ms(m.maxMs()), m.rate(), m.unit().label(), vs,
                    m.engine().replace("|", "\\|")));
        }
        createParent(file);
        Files.writeString(file, b, StandardCharsets.UTF_8);
    }

    /** Grouped bars of each measurement's rate per backend; labels name the speed-up over "cpu" where both ran. */
    public static void plot(Path png, String title, List<Measurement> ms) {
        plot(png, title, ms, BASELINE);
    }

    /**
     * Grouped bars of each measurement's rate per backend, one panel per unit (GFLOP/s, GB/s,
     * images/s); each workload's label names every other backend's rate over {@code baseline}'s (above
     * 1: faster than the baseline) where both ran.
     */
    public static void plot(Path png, String title, List<Measurement> ms, String baseline) {
        Set<String> backends = new LinkedHashSet<>();
        Map<Rate, Set<String>> names = new LinkedHashMap<>();
        for (Measurement m : ms) {
            backends.add(m.backend());
            names.computeIfAbsent(m.unit(), u -> new LinkedHashSet<>()).add(m.name());
        }
        List<Charts.BarPanel> panels = new ArrayList<>();
        for (Map.Entry<Rate, Set<String>> unit : names.entrySet()) {
            List<String> order = new ArrayList<>(unit.getValue());
            Map<String, double[]> rates = new LinkedHashMap<>();
            for (String b : backends) {
                rates.put(b, new double[order.size()]);
            }
            for (Measurement m : ms) {
                if (m.unit() == unit.getKey()) {
                    rates.get(m.backend())[order.indexOf(m.name())] = m.rate();
                }
            }
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < order.size(); i++) {
                labels.add(order.get(i) + speedUps(rates, i, baseline));
            }
            Map<String, double[]> shown = new LinkedHashMap<>();
            rates.forEach((b, v) -> shown.put(b, Arrays.stream(v).map(BenchReport::threeDigits).toArray()));
            panels.add(new Charts.BarPanel(unit.getKey().label(), labels, shown));
        }
        Charts.barPanels(png, title, panels, true);
    }

    /** Three significant digits: the bar labels show the value as it is. */
    static double threeDigits(double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            return v;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).doubleValue();
    }

    /** " (cuda 12x)" for every backend besides "cpu" that has a rate in column {@code i}. */
    static String speedUps(Map<String, double[]> series, int i) {
        return speedUps(series, i, BASELINE);
    }

    /** " (cuda 12x)": every backend's rate over {@code baseline}'s in column {@code i}, where both have one. */
    static String speedUps(Map<String, double[]> series, int i, String baseline) {
        double[] base = series.get(baseline);
        if (base == null || !(base[i] > 0)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        series.forEach((backend, v) -> {
            if (!backend.equals(baseline) && v[i] > 0) {
                b.append(b.length() == 0 ? " (" : ", ").append(backend)
                        .append(' ').append(ratio(v[i] / base[i]));
            }
        });
        return b.length() == 0 ? "" : b.append(')').toString();
    }

    /** "12x", "1.05x", "0.02x": two decimals below 10, as the README's tables write ratios. */
    static String ratio(double r) {
        return String.format(Locale.ROOT, r >= 10 ? "%.0fx" : "%.2fx", r);
    }

    static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
