package dev.fovea.kernels;

import dev.fovea.kernels.KernelEmulator.Launch;
import dev.fovea.kernels.KernelEmulator.Result;
import dev.fovea.kernels.KernelEmulator.Script;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one kernel under several launch configurations in one harness process, each on its own
 * copy of the buffers it writes, so a test checks every configuration against the reference: one
 * thread doing all the work, uneven grid-stride wrapping, one thread per item, and the same again
 * with the threads run last to first.
 */
final class Emulation {
    /** A written buffer that starts as the sentinel (NaN / -7777): every element must be written. */
    record Out(int count, boolean isInt) {
        static Out floats(int count) {
            return new Out(count, false);
        }

        static Out ints(int count) {
            return new Out(count, true);
        }
    }

    private Emulation() {
    }

    /** One launch of a sequence: {@code work} items of {@code kernel} (the W its doc comment states). */
    record Step(String kernel, long work, Object... args) {
    }

    /**
     * @param shared    read-only buffers: name to float[] or int[]
     * @param written   buffers the kernel writes: name to float[]/int[] (initial contents, for in-place
     *                  kernels) or {@link Out}
     * @param args      the kernel's arguments; buffer names refer to either map
     * @return one result per launch configuration, buffers under their plain names
     */
    static List<Result> everyLaunch(KernelEmulator emu, long work, Map<String, ?> shared, Map<String, ?> written,
                                    String kernel, Object... args) {
        return everyLaunch(emu, shared, written, List.of(new Step(kernel, work, args)));
    }

    /**
     * Runs a sequence of launches (the passes of a reduction, say) under each launch configuration
     * in turn, every launch of the sequence under the same kind of configuration; the buffers in
     * {@code written} (scratch included) are fresh for each configuration.
     */
    static List<Result> everyLaunch(KernelEmulator emu, Map<String, ?> shared, Map<String, ?> written, List<Step> steps) {
        Script s = emu.script();
        shared.forEach((name, data) -> declare(s, name, data));
        int configurations = Launch.variety(1).size() + 1;
        for (int j = 0; j < configurations; j++) {
            String suffix = "#" + j;
            written.forEach((name, data) -> declare(s, name + suffix, data));
            s.reverse(j == configurations - 1);
            for (Step step : steps) {
                List<Launch> variety = Launch.variety(step.work());
                Object[] renamed = step.args().clone();
                for (int a = 0; a < renamed.length; a++) {
                    if (renamed[a] instanceof String n && written.containsKey(n)) {
                        renamed[a] = n + suffix;
                    }
                }
                s.launch(step.kernel(), variety.get(Math.min(j, variety.size() - 1)), renamed);
            }
        }
        Result all = s.run();
        List<Result> out = new ArrayList<>();
        for (int j = 0; j < configurations; j++) {
            Map<String, Object> buffers = new LinkedHashMap<>();
            for (String name : written.keySet()) {
                buffers.put(name, all.buffers().get(name + "#" + j));
            }
            out.add(new Result(buffers));
        }
        return out;
    }

    /**
     * Runs {@code kernel} under every launch configuration with one written buffer {@code out} (of
     * {@code expected.length} floats, starting as the sentinel, or as {@code initial} when not null)
     * and compares each result with {@code expected} within {@code abs + rel * |expected|}.
     */
    static void check(KernelEmulator emu, String what, Map<String, ?> shared, String out, float[] initial,
                      float[] expected, double abs, double rel, String kernel, Object... args) {
        Object start = initial != null ? initial : Out.floats(expected.length);
        List<Result> runs = everyLaunch(emu, expected.length, shared, Map.of(out, start), kernel, args);
        for (int j = 0; j < runs.size(); j++) {
            Compare.close(what + " (" + kernel + ", " + launchLabel(j) + ")", expected, runs.get(j).floats(out), abs,
                    rel);
        }
    }

    /** A short label for failure messages: which launch of {@link #everyLaunch} this result came from. */
    static String launchLabel(int j) {
        return switch (j) {
            case 0 -> "launch 1x1";
            case 1 -> "launch 3x7";
            case 2 -> "launch one thread per item";
            default -> "launch one thread per item, reverse order";
        };
    }

    private static void declare(Script s, String name, Object data) {
        if (data instanceof float[] f) {
            s.floats(name, f);
        } else if (data instanceof int[] i) {
            s.ints(name, i);
        } else if (data instanceof Out o) {
            if (o.isInt()) {
                s.intOutput(name, o.count());
            } else {
                s.output(name, o.count());
            }
        } else {
            throw new IllegalArgumentException("buffer " + name + ": unsupported " + data);
        }
    }
}
