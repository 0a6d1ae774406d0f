package dev.fovea.tests;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The `./fovea` launcher: it works when symlinked onto PATH and run from elsewhere, and commands
 * that compute nothing start without the JVM's incubator-module warning. It runs the jar the build
 * packages (`mvn verify` builds it before these tests); without the jar the test is skipped.
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("..", "fovea").toAbsolutePath().normalize();
    private static final Path JAR = Path.of("..", "cli", "target", "fovea.jar");

    private record Run(int status, String out, String err) {
    }

    private static Run run(Path cwd, String... command) throws Exception {
        Path out = Files.createTempFile(cwd, "out", ".txt");
        Path err = Files.createTempFile(cwd, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("PATH", cwd.resolve("bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("launcher did not finish: " + List.of(command));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void itRunsThroughASymlinkOnPathFromAnyDirectory(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), JAR + " is not built (mvn verify builds it before this test)");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // A relative link to a link, as `ln -s` onto PATH makes them.
        Path link = Files.createSymbolicLink(dir.resolve("fovea-link"), LAUNCHER);
        Files.createSymbolicLink(bin.resolve("fovea"), Path.of("..", "fovea-link"));
        Run version = run(dir, "/bin/sh", "-c", "fovea --version"); // found on PATH, as a user would run it
        assertEquals(0, version.status(), version.err());
        assertEquals("fovea 0.1.0", version.out().strip());
        assertFalse(version.err().contains("building"), "found the built jar beside the real launcher: " + version.err());
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void commandsThatComputeNothingStartWithoutTheIncubatorWarning(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), JAR + " is not built (mvn verify builds it before this test)");
        for (String[] args : new String[][] {{"--help"}, {"summary", "lenet5"}, {"train", "--help"}}) {
            String[] command = new String[args.length + 1];
            command[0] = LAUNCHER.toString();
            System.arraycopy(args, 0, command, 1, args.length);
            Run r = run(dir, command);
            assertEquals(0, r.status(), r.err());
            assertFalse(r.err().contains("WARNING: Using incubator modules"), List.of(args) + ": " + r.err());
        }
    }
}
