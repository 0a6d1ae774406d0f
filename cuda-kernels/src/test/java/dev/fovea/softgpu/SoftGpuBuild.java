package dev.fovea.softgpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the software GPU's sources and build live (the parent pom builds it into the repository's
 * target/softgpu before the tests), and a runner for the tools the tests call.
 */
final class SoftGpuBuild {
    private SoftGpuBuild() {
    }

    record Result(int exitCode, String output) {
    }

    static Path repository() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
    }

    static Path sources() {
        return repository().resolve("cuda-kernels/softgpu");
    }

    static Path out() {
        return repository().resolve("target/softgpu");
    }

    /** Skips (or under FOVEA_REQUIRE_SOFTGPU=1 fails) when the libraries were not built (no g++). */
    static void requireBuilt() {
        boolean built = Files.isRegularFile(out().resolve("lib/libcuda.so.1"));
        if (!built && "1".equals(System.getenv("FOVEA_REQUIRE_SOFTGPU"))) {
            throw new AssertionError("FOVEA_REQUIRE_SOFTGPU=1 but the software GPU is not built in " + out());
        }
        assumeTrue(built, "the software GPU is not built (g++ or make missing): " + out());
    }

    static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
