package dev.fovea.tests;

import dev.fovea.backend.cuda.CudaProbe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages that name the real problem: a missing file, a directory (or its latest checkpoint), an
 * image or a model file where a checkpoint belongs, IDX files by their content, model-file errors
 * with the file's name, no Java class names, and one short line when CUDA is unusable.
 */
class MessagesCliTest {

    @Test
    void aCheckpointArgumentSaysWhatItReallyIs(@TempDir Path dir) throws Exception {
        Cli missing = Cli.run("eval", dir.resolve("nothing.json").toString(), "--device", "cpu");
        assertEquals(2, missing.status(), missing.toString());
        assertEquals("fovea: " + dir.resolve("nothing.json") + ": no such file", missing.err().strip());

        Cli empty = Cli.run("eval", dir.toString(), "--device", "cpu");
        assertEquals(2, empty.status(), empty.toString());
        assertTrue(empty.err().startsWith("fovea: " + dir + ": a directory without checkpoints (epoch-NNN.json) in it"),
                empty.err());

        Cli image = Cli.run("eval", Fixtures.EXAMPLE_DIGIT.toString(), "--device", "cpu");
        assertEquals(2, image.status(), image.toString());
        assertTrue(image.err().startsWith("fovea: " + Fixtures.EXAMPLE_DIGIT + ": an image (PNG), not a checkpoint"),
                image.err());

        Path fifo = dir.resolve("pipe.json");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
        Cli pipe = Cli.run("eval", fifo.toString(), "--device", "cpu");
        assertEquals(2, pipe.status(), pipe.toString());
        assertTrue(pipe.err().startsWith("fovea: " + fifo + ": file type: expected a regular file, found a FIFO"),
                "refused, not read: " + pipe.err());

        Path model = Fixtures.tinyModel(dir);
        Cli modelFile = Cli.run("predict", model.toString(), Fixtures.EXAMPLE_DIGIT.toString(), "--device", "cpu");
        assertEquals(2, modelFile.status(), modelFile.toString());
        assertTrue(modelFile.err().startsWith("fovea: " + model + ": a model file, not a checkpoint; give it as --model"),
                modelFile.err());

        Path run = dir.resolve("run");
        Fixtures.trainTiny(dir, run, "--epochs", "2");
        Cli latest = Cli.run("eval", run.toString(), "--device", "cpu");
        assertEquals(0, latest.status(), latest.toString());
        assertTrue(latest.out().startsWith(run.resolve("epoch-002.json") + " on mnist-digits/test"), latest.out());
    }

    @Test
    void idxFilesAreRecognisedByTheirContent(@TempDir Path dir) throws Exception {
        Path renamed = Files.copy(Fixtures.IDX_IMAGES, dir.resolve("digits.bin"));
        Cli p = Cli.run("predict", Fixtures.LENET5_WEIGHTS.toString(), renamed.toString(), "--model", "lenet5",
                "--limit", "2", "--device", "cpu");
        assertEquals(0, p.status(), p.toString());
        assertEquals(2, p.out().lines().filter(l -> l.matches("digits\\.bin\\[\\d]: \\d \\d+\\.\\d\\d%.*")).count(), p.out());
    }

    @Test
    void aModelFileErrorNamesTheFile(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("typo.json");
        Files.writeString(bad, Fixtures.TINY.replace("kernel_size\": 5", "kernal_size\": 5"));
        Cli c = Cli.run("train", "--model", bad.toString(), "--device", "cpu", "--out", dir.resolve("run").toString());
        assertEquals(2, c.status(), c.toString());
        assertTrue(c.err().startsWith("fovea: " + bad + ": layers[0] (conv1): unknown conv2d field 'kernal_size' (did you "
                + "mean 'kernel_size'?)"), c.err());
        Cli s = Cli.run("summary", bad.toString());
        assertEquals(2, s.status(), s.toString());
        assertTrue(s.err().startsWith("fovea: " + bad + ": layers[0]"), s.err());
    }

    @Test
    void noJavaClassNamesOrJacksonInternalsReachTheUser(@TempDir Path dir) throws Exception {
        Path corrupt = dir.resolve("broken.png");
        byte[] png = Files.readAllBytes(Fixtures.EXAMPLE_DIGIT);
        Files.write(corrupt, java.util.Arrays.copyOf(png, 60));
        Cli p = Cli.run("predict", Fixtures.LENET5_WEIGHTS.toString(), corrupt.toString(), "--model", "lenet5",
                "--device", "cpu");
        assertEquals(2, p.status(), p.toString());
        assertTrue(p.err().contains("broken.png"), p.err());
        assertNoJava(p.err());

        Path run = dir.resolve("run");
        Fixtures.trainTiny(dir, run);
        Path side = run.resolve("epoch-001.json");
        Files.writeString(side, Files.readString(side).replace("\"name\" : \"sgd\"", "\"name\" : \"sgd\", \"betas\" : 1"));
        Cli resume = Cli.run("train", "--resume", side.toString(), "--epochs", "2", "--device", "cpu");
        assertEquals(2, resume.status(), resume.toString());
        // The sidecar reader checks the optimiser's settings field by field (no Jackson message to clean up).
        assertTrue(resume.err().startsWith("fovea: " + side + ": optimizer: sgd: unknown field 'betas'; expected lr, "
                + "momentum, dampening, nesterov, weightDecay"), resume.err());
        assertNoJava(resume.err());
    }

    private static void assertNoJava(String err) {
        for (String word : List.of("java.", "javax.", "Exception", "dev.fovea", "com.fasterxml", "[Source:")) {
            assertFalse(err.contains(word), "'" + word + "' in: " + err);
        }
    }

    /** Run where no driver loads (the `no-gpu` run of `mvn verify`): on the software GPU, auto would pick it. */
    @Tag("no-gpu")
    @Test
    void unusableCudaIsOneShortLineAndFoveaDeviceCpuSilencesIt(@TempDir Path dir) throws Exception {
        String[] eval = {"eval", Fixtures.LENET5_WEIGHTS.toAbsolutePath().toString(), "--model", "lenet5"};
        try (TrainingProcess auto = TrainingProcess.start(dir.resolve("logs"), null, Map.of(), List.of(), null, eval)) {
            assertEquals(0, auto.waitFor(), auto.toString());
            List<String> cuda = auto.stderr().lines().filter(l -> l.contains("CUDA")).toList();
            if (!CudaProbe.status().available()) {
                assertEquals(1, cuda.size(), auto.stderr());
                assertTrue(cuda.get(0).length() < 200, "short: " + cuda.get(0));
                assertTrue(cuda.get(0).startsWith("fovea: CUDA unavailable: ") && cuda.get(0).endsWith(
                        "; computing on the CPU (details: fovea devices; FOVEA_DEVICE=cpu skips CUDA)"), cuda.get(0));
            }
        }
        try (TrainingProcess cpu = TrainingProcess.start(dir.resolve("logs"), null, Map.of("FOVEA_DEVICE", "cpu"),
                List.of(), null, eval)) {
            assertEquals(0, cpu.waitFor(), cpu.toString());
            assertTrue(cpu.stderr().lines().noneMatch(l -> l.contains("CUDA")), cpu.stderr());
        }
    }
}
