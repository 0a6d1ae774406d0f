package dev.fovea.bench;

import dev.fovea.backend.Backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a benchmark ran on, printed before the results and stored beside them: the CPU, the JVM, and
 * per backend its device, thread count, GEMM kernel and library versions. Numbers without this are
 * not comparable.
 */
public final class Environment {
    private Environment() {
    }

    /** Ordered key/value facts about the machine and each backend. */
    public static Map<String, String> describe(List<Backend> backends) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("machine", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores available");
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        for (Backend b : backends) {
            m.put(b.name(), b.describe());
        }
        return m;
    }

    /** Linux's "model name", else the JVM's architecture. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through to what the JVM knows
        }
        return System.getProperty("os.arch");
    }
}
