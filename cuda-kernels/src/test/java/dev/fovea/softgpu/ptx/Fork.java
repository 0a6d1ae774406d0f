package dev.fovea.softgpu.ptx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs a main class of the test classpath in a fresh JVM on the software GPU, with the environment
 * a test chooses (FOVEA_SOFTGPU_KERNELS=ptx above all: the driver reads its settings once, at
 * cuInit, so a route is a process). The library is the software GPU the test JVM itself was given
 * (the directory of libcuda.so.1 on its LD_LIBRARY_PATH, which the parent pom points at the build
 * in target/softgpu), without cuDNN: the backend then runs Fovea's own kernels, which is what the
 * interpreter is for. Each fork gets its own java.io.tmpdir, because JCuda reuses the native
 * libraries it extracts there.
 */
final class Fork {
    private Fork() {
    }

    record Result(int exitCode, String output) {
    }

    static Path repository() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
    }

    static Path ptxDirectory() {
        return repository().resolve("engine/src/main/resources/dev/fovea/cuda/ptx");
    }

    static Path target() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().resolve("target");
    }

    /** The directory holding the software GPU's libcuda.so.1 and libcublas.so.11, or null. */
    static Path libraryDirectory() {
        String path = System.getenv("LD_LIBRARY_PATH");
        if (path != null) {
            for (String entry : path.split(":")) {
                if (!entry.isEmpty() && Files.isRegularFile(Path.of(entry, "libcuda.so.1"))) {
                    return Path.of(entry).toAbsolutePath();
                }
            }
        }
        Path built = repository().resolve("target/softgpu/lib");
        return Files.isRegularFile(built.resolve("libcuda.so.1")) ? built : null;
    }

    /** Skips (or under FOVEA_REQUIRE_SOFTGPU=1 fails) when the software GPU was not built (no g++). */
    static Path requireSoftGpu() {
        Path dir = libraryDirectory();
        if (dir == null && "1".equals(System.getenv("FOVEA_REQUIRE_SOFTGPU"))) {
            throw new AssertionError("FOVEA_REQUIRE_SOFTGPU=1 but the software GPU is not built");
        }
        assumeTrue(dir != null, "the software GPU is not built (g++ or make missing)");
        return dir;
    }

    /** Runs {@code main} with {@code args} in a fresh JVM on the software GPU with {@code env} added. */
    static Result run(String name, Class<?> main, Map<String, String> env, List<String> args, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path lib = requireSoftGpu();
        Path tmp = target().resolve("tmp").resolve("ptx-fork-" + name);
        Files.createDirectories(tmp);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        Path log = tmp.resolve("output.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("FOVEA_DEVICE");
        pb.environment().remove("FOVEA_SOFTGPU_PTX_COVERAGE");
        pb.environment().put("LD_LIBRARY_PATH", lib.toString());
        pb.environment().put("FOVEA_SOFTGPU_DEVICES", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("forked JVM " + name + " did not finish within " + timeoutSeconds + " s:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
