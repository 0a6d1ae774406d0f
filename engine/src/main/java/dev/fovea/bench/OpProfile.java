package dev.fovea.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.backend.Backend;
import dev.fovea.graph.Executor;
import dev.fovea.graph.Node;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where one pass of a model (an inference pass or a training step) spends its time, per op kind (the
 * graph nodes' op: conv2d, relu, ...) and direction (forward or backward). Every node is timed on the
 * backend's clock after a synchronise, so on a GPU the profile serialises work that would overlap; its
 * purpose is the shares, not the total. Each row is the median over the profiled runs of that kind's
 * time in one run; {@code totalMs} is the median run's whole time, so what the rows leave over is the
 * work between nodes (the executor's bookkeeping, the loss and the optimiser step in training).
 *
 * @param pass "infer" or "train"
 */
public record OpProfile(String workload, String pass, String backend, int runs, double totalMs, List<Row> rows) {

    /**
     * One op kind in one direction.
     *
     * @param direction "forward" or "backward"
     * @param nodes     how many of the graph's nodes are of this kind
     * @param ms        median milliseconds per run, all those nodes together
     */
    public record Row(String op, String direction, int nodes, double ms) {
    }

    /** The rows' sum: the time spent inside ops. */
    public double opsMs() {
        return rows.stream().mapToDouble(Row::ms).sum();
    }

    /**
     * Runs {@code body} (one pass) {@code runs} (at least 1) times with every node of {@code exec}
     * timed; the executor's timer is removed afterwards.
     */
    static OpProfile measure(String workload, String pass, Backend backend, Executor exec, int runs, Runnable body) {
        Map<String, Integer> nodes = new LinkedHashMap<>();
        Map<String, double[]> perRun = new LinkedHashMap<>();
        double[] totals = new double[runs];
        int[] run = {0};
        exec.timeNodes(new Executor.NodeTimer() {
            @Override
            public <T> T time(Node node, boolean backward, Supplier<T> op) {
                String key = node.op() + (backward ? "\tbackward" : "\tforward");
                List<T> result = new ArrayList<>(1);
                backend.synchronize();
                double ms = backend.timeMs(() -> result.add(op.get()));
                perRun.computeIfAbsent(key, k -> new double[runs])[run[0]] += ms;
                if (run[0] == 0) {
                    nodes.merge(key, 1, Integer::sum);
                }
                return result.get(0);
            }
        });
        try {
            Clock clock = Clock.of(backend);
            for (; run[0] < runs; run[0]++) {
                totals[run[0]] = clock.elapsedMs(body);
            }
        } finally {
            exec.timeNodes(null);
        }
        List<Row> rows = new ArrayList<>();
        perRun.forEach((key, ms) -> {
            String[] k = key.split("\t");
            rows.add(new Row(k[0], k[1], nodes.get(key), median(ms)));
        });
        rows.sort((a, b) -> Double.compare(b.ms(), a.ms()));
        return new OpProfile(workload, pass, backend.name(), runs, median(totals), List.copyOf(rows));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The profile as a table: one line per op kind and direction, then the time outside the ops. */
    public void print(PrintWriter out) {
        out.printf(Locale.ROOT, "# profile  %s %s on %s, median of %d runs: %.3f ms per run%n", workload, pass, backend,
                runs, totalMs);
        out.printf(Locale.ROOT, "#   %-24s %-9s %5s %10s %7s%n", "op", "direction", "nodes", "ms", "share");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "#   %-24s %-9s %5d %10.3f %6.1f%%%n", r.op(), r.direction(), r.nodes(), r.ms(),
                    100 * r.ms() / totalMs);
        }
        double rest = totalMs - opsMs();
        out.printf(Locale.ROOT, "#   %-24s %-9s %5s %10.3f %6.1f%%%n", pass.equals("train")
                ? "(loss, optimiser, between)" : "(between ops)", "", "", rest, 100 * rest / totalMs);
        out.flush();
    }

    /** Writes {@code {"profiles": [{workload, pass, backend, runs, total_ms, ops_ms, rows: [...]}]}}. */
    public static void json(Path file, List<OpProfile> profiles) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ArrayNode list = root.putArray("profiles");
        for (OpProfile p : profiles) {
            ObjectNode o = list.addObject();
            o.put("workload", p.workload());
            o.put("pass", p.pass());
            o.put("backend", p.backend());
            o.put("runs", p.runs());
            o.put("total_ms", p.totalMs());
            o.put("ops_ms", p.opsMs());
            ArrayNode rows = o.putArray("rows");
            for (Row r : p.rows()) {
                rows.addObject().put("op", r.op()).put("direction", r.direction()).put("nodes", r.nodes())
                        .put("ms", r.ms());
            }
        }
        BenchReport.createParent(file);
        mapper.writeValue(file.toFile(), root);
    }
}
