package dev.fovea.backend.cpu;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cpu backend says once, on stderr, when the JVM lacks the Vector API module and which flag to
 * add; with the module it says nothing. Each case runs in a fresh JVM that opens the backend twice.
 */
class VectorApiNoticeTest {

    /** Opens the cpu backend twice; run in a forked JVM. */
    public static final class OpenTwice {
        public static void main(String[] args) {
            new CpuBackend().close();
            new CpuBackend(2).close();
            System.out.println("opened");
        }
    }

    @Test
    void withoutTheModuleOneLineNamesTheFlag() throws Exception {
        String err = fork("without-vector", List.of());
        List<String> warnings = err.lines().filter(l -> l.startsWith("fovea: warning:")).toList();
        assertEquals(List.of(VectorApiNotice.MESSAGE), warnings, err);
        assertTrue(VectorApiNotice.MESSAGE.contains("--add-modules jdk.incubator.vector"));
    }

    @Test
    void withTheModuleNothingIsSaid() throws Exception {
        String err = fork("with-vector", List.of("--add-modules", "jdk.incubator.vector"));
        assertTrue(err.lines().noneMatch(l -> l.startsWith("fovea:")), err);
    }

    /** The forked JVM's stderr, after checking it ran to the end. */
    private static String fork(String name, List<String> jvmArgs) throws Exception {
        Path tmp = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/tmp/fork-" + name);
        Files.createDirectories(tmp);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OpenTwice.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "forked JVM finished");
        assertEquals(0, p.exitValue(), err);
        assertEquals("opened", out.strip(), err);
        return err;
    }
}
