package dev.fovea.tests;

import dev.fovea.cli.Fovea;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * `fovea` in a forked JVM (the CLI main class on the test classpath), so that a test can kill it,
 * interrupt it, or run it under a resource limit. Output goes to files, which the test can watch
 * while the process runs. Each fork gets its own java.io.tmpdir under target/.
 */
final class TrainingProcess implements AutoCloseable {
    private static final long TIMEOUT_S = 180;

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private TrainingProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code fovea ARGS}; {@code jvmArgs} go before the main class, and a non-null
     * {@code shellPrefix} (e.g. "ulimit -f 4") runs in a shell that then execs the JVM.
     */
    static TrainingProcess start(Path logs, List<String> jvmArgs, String shellPrefix, String... args) throws IOException {
        return start(logs, null, java.util.Map.of(), jvmArgs, shellPrefix, args);
    }

    /** As {@link #start(Path, List, String, String...)}, with {@code env} added to the environment. */
    static TrainingProcess start(Path logs, List<String> jvmArgs, String shellPrefix, java.util.Map<String, String> env,
                                 String... args) throws IOException {
        return start(logs, null, env, jvmArgs, shellPrefix, args);
    }

    /**
     * As {@link #start(Path, List, String, String...)}, in working directory {@code cwd} (null: this
     * one) with {@code env} added to the environment.
     */
    static TrainingProcess start(Path logs, Path cwd, java.util.Map<String, String> env, List<String> jvmArgs,
                                 String shellPrefix, String... args) throws IOException {
        Path tmp = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/tmp/fork-training");
        Files.createDirectories(tmp);
        Files.createDirectories(logs);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Fovea.class.getName());
        cmd.addAll(List.of(args));
        if (shellPrefix != null) {
            List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c", shellPrefix + "; exec \"$0\" \"$@\""));
            shell.addAll(cmd);
            cmd = shell;
        }
        if (interruptIgnored()) {
            // Started under nohup or as a background job of a script, this JVM ignores SIGINT and so
            // would the child, whose Ctrl-C handling the tests need: the child gets the default back.
            List<String> reset = new ArrayList<>(List.of("env", "--default-signal=INT,TERM"));
            reset.addAll(cmd);
            cmd = reset;
        }
        Path out = Files.createTempFile(logs, "stdout", ".txt");
        Path err = Files.createTempFile(logs, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("FOVEA_DEVICE");
        pb.environment().putAll(env);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        return new TrainingProcess(pb.start(), out, err);
    }

    /** Waits until stderr contains {@code text} (a test pause point reached); fails if the process ends first. */
    void awaitStderr(String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!stderr().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError("fovea exited with " + process.exitValue() + " before printing '" + text + "'\n"
                        + this);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' within " + TIMEOUT_S + " s\n" + this);
            }
            Thread.sleep(20);
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: the process gets no chance to clean up. */
    int kill() throws InterruptedException {
        if (!process.isAlive()) {
            throw new AssertionError("the process had already ended, so nothing was killed\n" + this);
        }
        process.destroyForcibly();
        return waitFor();
    }

    /** Whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status), which children inherit. */
    static boolean interruptIgnored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or an unreadable status: assume the default disposition.
        }
        return false;
    }

    /** Sends SIGINT, as Ctrl-C in a terminal does. */
    void interrupt() throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        if (k.waitFor() != 0) {
            throw new AssertionError("kill -INT " + process.pid() + " failed");
        }
    }

    int waitFor() throws InterruptedException {
        return waitFor(TIMEOUT_S);
    }

    /** The exit status, waiting at most {@code seconds} (a full training run on a busy machine takes minutes). */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("fovea did not finish within " + seconds + " s\n" + this);
        }
        return process.exitValue();
    }

    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        try {
            return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
