package dev.fovea.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link CudaProbe#main} (or another main class) in a fresh JVM, so a test controls what the process sees at load
 * time (library path, environment, system properties). Each fork gets its own java.io.tmpdir under
 * target/ because JCuda reuses native libraries extracted there without checking them.
 */
final class ForkedJvm {
    private ForkedJvm() {
    }

    record Result(int exitCode, String stdout) {
    }

    static Path target() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
    }

    static Result runProbe(String name, List<String> jvmArgs, Map<String, String> env)
            throws IOException, InterruptedException {
        return run(name, CudaProbe.class, jvmArgs, env);
    }

    /** Runs {@code main} in a fresh JVM with the test classpath. */
    static Result run(String name, Class<?> main, List<String> jvmArgs, Map<String, String> env)
            throws IOException, InterruptedException {
        return run(name, main, jvmArgs, env, List.of());
    }

    /** Runs {@code main} with program arguments {@code args} in a fresh JVM with the test classpath. */
    static Result run(String name, Class<?> main, List<String> jvmArgs, Map<String, String> env, List<String> args)
            throws IOException, InterruptedException {
        Path tmp = target().resolve("tmp").resolve("fork-" + name);
        Files.createDirectories(tmp);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("FOVEA_DEVICE");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("forked probe JVM did not finish within 60 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The value of a "key=value" line the probe printed, or null. */
    static String field(String stdout, String key) {
        for (String line : stdout.split("\\R")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1);
            }
        }
        return null;
    }
}
