package dev.fovea.softgpu.ptx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sequence of module loads, buffers and launches that {@link PtxRunner} runs in one forked JVM,
 * written as files into a directory of its own. Buffers declared as outputs start as the driver's
 * fresh-memory pattern (a NaN as float32), so an element a kernel fails to write shows.
 */
final class Plan {
    /** What a fork returned: every call's status and the saved buffers. */
    static final class Results {
        final String output;
        final Map<String, Integer> loads = new HashMap<>();
        final List<String> launches = new ArrayList<>();
        final List<Integer> syncs = new ArrayList<>();
        final Map<String, byte[]> buffers = new HashMap<>();

        Results(String output) {
            this.output = output;
        }

        float[] floats(String buffer) {
            byte[] b = bytes(buffer);
            float[] out = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        int[] ints(String buffer) {
            byte[] b = bytes(buffer);
            int[] out = new int[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
            return out;
        }

        long[] longs(String buffer) {
            byte[] b = bytes(buffer);
            long[] out = new long[b.length / 8];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }

        byte[] bytes(String buffer) {
            byte[] b = buffers.get(buffer);
            if (b == null) {
                throw new AssertionError("buffer " + buffer + " was not saved; the run printed:\n" + output);
            }
            return b;
        }
    }

    private final Path dir;
    private final StringBuilder lines = new StringBuilder();
    private final Map<String, Integer> sizes = new LinkedHashMap<>();
    private final List<String> saved = new ArrayList<>();
    private int names;
    private int launches;

    Plan(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads PTX text as module ID. */
    Plan module(String id, String text) {
        Path file = dir.resolve("module-" + id + ".ptx");
        write(file, text.getBytes(StandardCharsets.UTF_8));
        lines.append("module ").append(id).append(' ').append(file).append('\n');
        return this;
    }

    String floats(float[] data) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(data);
        return buffer(bb.array());
    }

    String ints(int[] data) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asIntBuffer().put(data);
        return buffer(bb.array());
    }

    String longs(long[] data) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        bb.asLongBuffer().put(data);
        return buffer(bb.array());
    }

    /** A buffer of {@code words} 32-bit words holding the driver's fresh-memory pattern. */
    String output(int words) {
        String name = "b" + names++;
        sizes.put(name, words * 4);
        lines.append("alloc ").append(name).append(' ').append(words * 4).append('\n');
        return name;
    }

    private String buffer(byte[] data) {
        String name = "b" + names++;
        Path file = dir.resolve(name + ".in");
        write(file, data);
        sizes.put(name, data.length);
        lines.append("alloc ").append(name).append(' ').append(data.length).append(' ').append(file).append('\n');
        return name;
    }

    /**
     * Launches ENTRY of module ID on a 1-D grid; args: buffer names, null, Integer, Float. Returns the
     * launch's index among the plan's launches.
     */
    int launch(String module, String entry, int grid, int block, Object... args) {
        return launchShared(module, entry, grid, block, 0, args);
    }

    int launchShared(String module, String entry, int grid, int block, int shared, Object... args) {
        lines.append("launch ").append(module).append(' ').append(entry).append(' ').append(grid).append(' ')
                .append(block).append(' ').append(shared);
        for (Object a : args) {
            lines.append(' ');
            if (a == null) {
                lines.append("null");
            } else if (a instanceof String s) {
                if (!sizes.containsKey(s)) {
                    throw new IllegalArgumentException("no buffer " + s);
                }
                lines.append("b:").append(s);
            } else if (a instanceof Integer i) {
                lines.append("i:").append(i);
            } else if (a instanceof Float f) {
                lines.append("f:").append(Float.floatToRawIntBits(f));
            } else {
                throw new IllegalArgumentException("unsupported argument " + a);
            }
        }
        lines.append('\n');
        return launches++;
    }

    /** Synchronises and saves every buffer of the current context, then starts a fresh context. */
    Plan reset() {
        saveAll();
        lines.append("reset\n");
        return this;
    }

    private void saveAll() {
        lines.append("sync\n");
        for (String name : sizes.keySet()) {
            if (!saved.contains(name)) {
                lines.append("save ").append(name).append(' ').append(dir.resolve(name + ".out")).append('\n');
                saved.add(name);
            }
        }
    }

    /** Runs the plan in a forked JVM with {@code env}; the last context's buffers are saved at the end. */
    Results run(String name, Map<String, String> env, long timeoutSeconds) {
        saveAll();
        Path file = dir.resolve("plan.txt");
        write(file, lines.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Fork.Result r = Fork.run(name, PtxRunner.class, env, List.of(file.toString()), timeoutSeconds);
            if (r.exitCode() != 0) {
                throw new AssertionError("the plan runner (" + name + ") exited with " + r.exitCode() + ":\n"
                        + r.output());
            }
            Results out = new Results(r.output());
            for (String line : r.output().split("\n")) {
                String[] f = line.split(" ");
                if (f.length == 3 && f[0].equals("load")) {
                    out.loads.put(f[1], Integer.parseInt(f[2]));
                } else if (f.length == 3 && f[0].equals("launch")) {
                    out.launches.add(f[2]);
                } else if (f.length == 2 && f[0].equals("sync")) {
                    out.syncs.add(Integer.parseInt(f[1]));
                } else if (f.length == 3 && f[0].equals("save") && f[2].equals("0")) {
                    out.buffers.put(f[1], Files.readAllBytes(dir.resolve(f[1] + ".out")));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void write(Path file, byte[] data) {
        try {
            Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
