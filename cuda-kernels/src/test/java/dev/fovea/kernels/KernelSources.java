package dev.fovea.kernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the kernel sources, the emulation shim and the committed PTX live, and the entry points the
 * sources declare: the list every other check (PTX contents, doc comments, the harness) is held to.
 */
final class KernelSources {
    private static final Pattern ENTRY =
            Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)");

    /** One {@code extern "C" __global__} function: its module (file name without .cu) and C parameters. */
    record EntryPoint(String module, String name, String params) {
    }

    private KernelSources() {
    }

    /** The cuda-kernels module directory (surefire runs tests there). */
    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    static Path sourceDir() {
        return moduleDir().resolve("src");
    }

    static Path emuDir() {
        return moduleDir().resolve("emu");
    }

    static Path targetDir() {
        return moduleDir().resolve("target");
    }

    /** The committed PTX, an engine resource. */
    static Path ptxDir() {
        return moduleDir().resolveSibling("engine").resolve("src/main/resources/dev/fovea/cuda/ptx");
    }

    static Path buildScript() {
        return moduleDir().resolve("scripts/build-ptx.sh");
    }

    /** Module names: one per src/*.cu, sorted. */
    static List<String> modules() {
        try (Stream<Path> files = Files.list(sourceDir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
                    .map(n -> n.substring(0, n.length() - 3)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<EntryPoint> entryPoints(String module) {
        String text = read(sourceDir().resolve(module + ".cu"));
        List<EntryPoint> out = new ArrayList<>();
        Matcher m = ENTRY.matcher(text);
        while (m.find()) {
            out.add(new EntryPoint(module, m.group(1), "(" + m.group(2).replaceAll("\\s+", " ").trim() + ")"));
        }
        return out;
    }

    static List<EntryPoint> allEntryPoints() {
        return modules().stream().flatMap(m -> entryPoints(m).stream()).toList();
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
