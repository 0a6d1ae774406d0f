package dev.fovea.kernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the kernels' CUDA source on the CPU: compiles emu/harness.cpp (which includes every
 * src/*.cu unchanged, through emu/shim.h) with g++ once per build flavour into target/emu/, then
 * drives it with scripts of buffers and launches (see harness.cpp for the format). The sanitized
 * flavour adds -fsanitize=address,undefined, so an out-of-bounds index fails the test.
 */
final class KernelEmulator {

    /** The two harness builds every emulation test runs on. */
    enum Flavour {
        PLAIN(List.of()),
        SANITIZED(List.of("-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"));

        final List<String> flags;

        Flavour(List<String> flags) {
            this.flags = flags;
        }
    }

    private static final Map<Flavour, KernelEmulator> BUILT = new EnumMap<>(Flavour.class);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Flavour flavour;
    private final Path binary;

    private KernelEmulator(Flavour flavour, Path binary) {
        this.flavour = flavour;
        this.binary = binary;
    }

    /** The harness for {@code flavour}, built on first use; skips the calling test when g++ is absent. */
    static synchronized KernelEmulator get(Flavour flavour) {
        assumeTrue(Tools.onPath("g++"), "g++ is not on the PATH: the kernels' CUDA source cannot be run on the CPU");
        KernelEmulator e = BUILT.get(flavour);
        if (e == null) {
            e = new KernelEmulator(flavour, build(flavour));
            BUILT.put(flavour, e);
        }
        return e;
    }

    /** The g++ command that compiles the kernel sources as C++ through the shim. */
    static List<String> compileCommand(List<String> extra) {
        List<String> cmd = new ArrayList<>(List.of("g++", "-std=c++20", "-O1", "-g", "-ffp-contract=off",
                "-Wall", "-Wextra", "-Werror", "-x", "c++", "-include",
                KernelSources.emuDir().resolve("shim.h").toString(), "-I", KernelSources.sourceDir().toString()));
        cmd.addAll(extra);
        return cmd;
    }

    private static Path build(Flavour flavour) {
        Path dir = KernelSources.targetDir().resolve("emu").resolve(flavour.name().toLowerCase());
        Path binary = dir.resolve("harness");
        Path generated = KernelSources.targetDir().resolve("emu").resolve("generated");
        List<String> cmd = compileCommand(flavour.flags);
        cmd.addAll(List.of("-I", generated.toString(), KernelSources.emuDir().resolve("harness.cpp").toString(), "-o",
                binary.toString()));
        try {
            Files.createDirectories(dir);
            writeKernelLists(generated);
            // Rebuild only when the command or any input changed since the last build.
            String stamp = String.join(" ", cmd) + "\n" + inputsDigest();
            Path stampFile = dir.resolve("stamp");
            if (Files.isExecutable(binary) && Files.exists(stampFile) && Files.readString(stampFile).equals(stamp)) {
                return binary;
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("building the kernel harness failed:\n" + String.join(" ", cmd) + "\n" + log);
            }
            Files.writeString(stampFile, stamp);
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The two lists harness.cpp includes, read from the sources (as the software GPU's Makefile
     * does): one {@code #include} per module and one {@code FOVEA_KERNEL(name)} per entry point, so
     * a new kernel is registered by being declared {@code extern "C" __global__}. Written only when
     * they change, so their timestamps do not force a rebuild.
     */
    static void writeKernelLists(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder sources = new StringBuilder();
        for (String module : KernelSources.modules()) {
            sources.append("#include \"").append(module).append(".cu\"\n");
        }
        StringBuilder entries = new StringBuilder();
        for (KernelSources.EntryPoint e : KernelSources.allEntryPoints()) {
            entries.append("FOVEA_KERNEL(").append(e.name()).append(")\n");
        }
        writeIfChanged(dir.resolve("kernel-sources.inc"), sources.toString());
        writeIfChanged(dir.resolve("kernel-list.inc"), entries.toString());
    }

    private static void writeIfChanged(Path file, String text) throws IOException {
        if (!Files.exists(file) || !Files.readString(file).equals(text)) {
            Files.writeString(file, text);
        }
    }

    private static String inputsDigest() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path dir : List.of(KernelSources.sourceDir(), KernelSources.emuDir())) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
                    if (Files.isRegularFile(f)) {
                        sb.append(f.getFileName()).append(':').append(Files.readString(f).hashCode()).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    Flavour flavour() {
        return flavour;
    }

    /** The entry points the harness was built with. */
    List<String> listKernels() {
        return List.of(exec(List.of(binary.toString(), "--list")).strip().split("\n"));
    }

    Script script() {
        return new Script();
    }

    private String exec(List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1");
            pb.environment().put("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kernel harness timed out: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("kernel harness (" + flavour + ") failed with exit " + p.exitValue()
                        + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * A sequence of buffers and launches run by one harness process. Buffers declared with
     * {@link #output} start filled with a sentinel (NaN, or -7777 for ints), so an element a kernel
     * fails to write shows up in the comparison.
     */
    final class Script {
        private final Map<String, Object> buffers = new LinkedHashMap<>();
        private final StringBuilder lines = new StringBuilder();

        Script floats(String name, float[] data) {
            buffers.put(name, data.clone());
            lines.append("f32 ").append(name).append(' ').append(data.length).append(" @").append(name).append('\n');
            return this;
        }

        Script ints(String name, int[] data) {
            buffers.put(name, data.clone());
            lines.append("i32 ").append(name).append(' ').append(data.length).append(" @").append(name).append('\n');
            return this;
        }

        Script output(String name, int count) {
            buffers.put(name, new float[count]);
            lines.append("f32 ").append(name).append(' ').append(count).append(" -\n");
            return this;
        }

        Script intOutput(String name, int count) {
            buffers.put(name, new int[count]);
            lines.append("i32 ").append(name).append(' ').append(count).append(" -\n");
            return this;
        }

        /** Runs later launches' threads last to first: results must not depend on the order. */
        Script reverse(boolean reverse) {
            lines.append("order ").append(reverse ? "reverse" : "forward").append('\n');
            return this;
        }

        /** Args: a buffer name (String), null, Integer or Float, in the kernel's parameter order. */
        Script launch(String kernel, Launch config, Object... args) {
            lines.append("launch ").append(kernel).append(' ').append(config.grid()).append(' ').append(config.block());
            for (Object a : args) {
                lines.append(' ');
                if (a == null) {
                    lines.append("null");
                } else if (a instanceof String s) {
                    if (!buffers.containsKey(s)) {
                        throw new IllegalArgumentException("no buffer " + s);
                    }
                    lines.append(s);
                } else if (a instanceof Integer i) {
                    lines.append("i:").append(i);
                } else if (a instanceof Float f) {
                    lines.append("f:").append(Float.toHexString(f));
                } else {
                    throw new IllegalArgumentException("unsupported argument " + a);
                }
            }
            lines.append('\n');
            return this;
        }

        /** Runs the script and returns every buffer's final contents. */
        Result run() {
            Path dir = KernelSources.targetDir().resolve("emu/runs").resolve(flavour.name().toLowerCase() + "-"
                    + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet());
            try {
                Files.createDirectories(dir);
                String text = lines.toString();
                for (Map.Entry<String, Object> b : buffers.entrySet()) {
                    Path file = dir.resolve(b.getKey() + ".bin");
                    text = text.replace(" @" + b.getKey() + "\n", " " + file + "\n");
                    write(file, b.getValue());
                }
                StringBuilder saves = new StringBuilder(text);
                buffers.keySet().forEach(n -> saves.append("save ").append(n).append(' ')
                        .append(dir.resolve(n + ".out")).append('\n'));
                Path scriptFile = dir.resolve("script.txt");
                Files.writeString(scriptFile, saves);
                exec(List.of(binary.toString(), scriptFile.toString()));
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<String, Object> b : buffers.entrySet()) {
                    out.put(b.getKey(), read(dir.resolve(b.getKey() + ".out"), b.getValue()));
                }
                deleteTree(dir);
                return new Result(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Buffer contents after a script ran. */
    record Result(Map<String, Object> buffers) {
        float[] floats(String name) {
            return (float[]) buffers.get(name);
        }

        int[] ints(String name) {
            return (int[]) buffers.get(name);
        }
    }

    /** A 1-D launch configuration. */
    record Launch(int grid, int block) {
        /**
         * Configurations every kernel must give the same result under: one thread doing all the work,
         * odd sizes whose grid-stride loops wrap unevenly, and one thread per item (or more).
         */
        static List<Launch> variety(long work) {
            int full = (int) Math.max(1, (work + 31) / 32);
            return List.of(new Launch(1, 1), new Launch(3, 7), new Launch(full + 1, 32));
        }
    }

    private static void write(Path file, Object data) throws IOException {
        ByteBuffer bb;
        if (data instanceof float[] f) {
            bb = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(f);
        } else {
            int[] i = (int[]) data;
            bb = ByteBuffer.allocate(i.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asIntBuffer().put(i);
        }
        Files.write(file, bb.array());
    }

    private static Object read(Path file, Object like) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (like instanceof float[] f) {
            float[] out = new float[f.length];
            bb.asFloatBuffer().get(out);
            return out;
        }
        int[] out = new int[((int[]) like).length];
        bb.asIntBuffer().get(out);
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
