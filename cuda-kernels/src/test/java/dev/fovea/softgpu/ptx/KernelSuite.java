package dev.fovea.softgpu.ptx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every entry point of the committed modules, on small random shapes, as one {@link Plan}: each
 * case's inputs are uploaded once and each kernel is launched under two configurations, on its own
 * copy of the buffers it writes: 3 blocks of 7 threads (every grid-stride loop wraps unevenly) and
 * one thread per work item. The same plan runs twice, once with FOVEA_SOFTGPU_KERNELS=ptx (the
 * committed PTX through the interpreter) and once with the source route (the kernels' CUDA C built
 * for the CPU); each check then holds both routes' results against the CPU reference.
 */
final class KernelSuite {
    enum Route { PTX, SOURCE }

    @FunctionalInterface
    interface Verifier {
        void verify(Plan.Results results, Route route);
    }

    record Check(String entry, String name, Verifier verifier) {
    }

    /** A written buffer that starts as the driver's fresh pattern (a NaN): every element must be written. */
    record Out(int count) {
    }

    /** The buffers of one kernel's launches: shared inputs, and per configuration its written buffers. */
    static final class Run {
        final Map<String, String> inputs = new HashMap<>();
        final List<Map<String, String>> written = new ArrayList<>();

        int configs() {
            return written.size();
        }

        float[] floats(Plan.Results r, String name, int config) {
            return r.floats(written.get(config).get(name));
        }

        int[] ints(Plan.Results r, String name, int config) {
            return r.ints(written.get(config).get(name));
        }
    }

    final Plan plan;
    final List<Check> checks = new ArrayList<>();

    KernelSuite(Path dir) {
        plan = new Plan(dir);
        Modules.texts().forEach(plan::module);
    }

    static String label(int config) {
        return config == 0 ? "launch 3x7" : "launch one thread per item";
    }

    /** Declares a buffer for a float[], int[] or {@link Out}. */
    String buffer(Object data) {
        if (data instanceof float[] f) {
            return plan.floats(f);
        }
        if (data instanceof int[] i) {
            return plan.ints(i);
        }
        if (data instanceof Out o) {
            return plan.output(o.count());
        }
        throw new IllegalArgumentException("unsupported buffer " + data);
    }

    /**
     * Launches {@code entry} (work items {@code work}) under both configurations. Buffer names in
     * {@code args} refer to {@code inputs} (shared by the launches) or {@code written} (a copy each).
     */
    Run launch(String entry, long work, Map<String, ?> inputs, Map<String, ?> written, Object... args) {
        Run run = new Run();
        inputs.forEach((name, data) -> run.inputs.put(name, buffer(data)));
        int[][] configs = {{3, 7}, {(int) Math.max(1, (work + 31) / 32) + 1, 32}};
        for (int[] config : configs) {
            Map<String, String> mine = new LinkedHashMap<>();
            written.forEach((name, data) -> mine.put(name, buffer(data)));
            run.written.add(mine);
            launchWith(entry, config[0], config[1], run.inputs, mine, args);
        }
        return run;
    }

    /** One launch with an explicit configuration, its buffer names resolved in {@code a} then {@code b}. */
    void launchWith(String entry, int grid, int block, Map<String, String> a, Map<String, String> b, Object... args) {
        Object[] resolved = args.clone();
        for (int i = 0; i < resolved.length; i++) {
            if (resolved[i] instanceof String s) {
                String name = a.containsKey(s) ? a.get(s) : b.get(s);
                if (name == null) {
                    throw new IllegalArgumentException(entry + ": no buffer " + s);
                }
                resolved[i] = name;
            }
        }
        plan.launch(Modules.moduleOf(entry), entry, grid, block, resolved);
    }

    void check(String entry, String name, Verifier v) {
        if (!Modules.entries().containsKey(entry)) {
            throw new IllegalArgumentException("no entry point " + entry);
        }
        checks.add(new Check(entry, name, v));
    }

    /**
     * The common check: output {@code out} of every launch within abs + rel * |expected| of
     * {@code expected} (for both routes).
     */
    void close(String entry, String name, Run run, String out, float[] expected, double abs, double rel) {
        check(entry, name, (r, route) -> {
            for (int j = 0; j < run.configs(); j++) {
                Compare.close(name + " (" + route + ", " + label(j) + ")", expected, run.floats(r, out, j), abs, rel);
            }
        });
    }

    /** Output within the float summation bound of the reference (see {@link Compare#withinBound}). */
    void bound(String entry, String name, Run run, String out, float[] expected, float[] absSum, int terms) {
        check(entry, name, (r, route) -> {
            for (int j = 0; j < run.configs(); j++) {
                Compare.withinBound(name + " (" + route + ", " + label(j) + ")", expected, run.floats(r, out, j), absSum,
                        terms);
            }
        });
    }

    /** Fails naming the first index where two routes' outputs differ in bits. */
    static void sameBits(String what, float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                fail(what + ": index " + i + ": " + a[i] + " vs " + b[i]);
            }
        }
    }
}
