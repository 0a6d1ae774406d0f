package dev.fovea.tests;

import dev.fovea.api.Device;
import dev.fovea.api.Model;
import dev.fovea.api.Prediction;
import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;
import dev.fovea.data.ImageFiles;
import dev.fovea.train.InferenceModel;
import dev.fovea.train.LoadedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java API against the command line: a checkpoint and an ONNX file give the same predictions
 * as {@code fovea predict} (the checkpoint's normalisation applied), and the programs in
 * {@code examples/java} compile against the engine and run.
 */
class JavaApiTest {
    private static final Path EXAMPLES = Path.of("..", "examples", "java");
    private static final Path LENET5_ONNX = Path.of("src", "test", "resources", "onnx", "lenet5.onnx");
    private static final String DIGIT = Fixtures.EXAMPLE_DIGIT.toString();

    /** The tiny model trained with a normalisation, as `fovea train` writes it. */
    private static Path normalisedCheckpoint(Path dir) throws Exception {
        Fixtures.trainTiny(dir, dir.resolve("run"), "--normalize", "0.1307,0.3081");
        return dir.resolve("run").resolve("epoch-001.json");
    }

    /** What `fovea predict --device DEVICE` prints for {@code model} and the example digit, after "PATH: ". */
    private static String cliPredict(String model, String device) {
        Cli c = Cli.run("predict", model, DIGIT, "--device", device);
        assertEquals(0, c.status(), c.toString());
        assertTrue(c.out().startsWith(DIGIT + ": "), c.out());
        return c.out().strip().substring(DIGIT.length() + 2);
    }

    @Test
    void aCheckpointPredictsAsTheCommandLineWithItsNormalisation(@TempDir Path dir) throws Exception {
        Path ckpt = normalisedCheckpoint(dir);
        float[] api;
        try (Model m = Model.load(ckpt).to(Device.cpu())) {
            Prediction p = m.predict(Fixtures.EXAMPLE_DIGIT);
            assertEquals(cliPredict(ckpt.toString(), "cpu"), p.toString());
            api = p.probabilities();
        }
        // Without the normalisation the same weights answer otherwise: the comparison above can tell.
        InferenceModel read = InferenceModel.read(ckpt, null, null, line -> { });
        float[] raw = ImageFiles.load(Fixtures.EXAMPLE_DIGIT, 1, 28, 28);
        try (Backend cpu = Backends.open("cpu")) {
            float[] unnormalised = LoadedModel.of(read.graph(), read.weights(), cpu, null, read.classNames(), null)
                    .probabilities(cpu, raw, 1);
            assertFalse(Arrays.equals(api, unnormalised), "normalisation changes the answer");
        }
    }

    @Test
    void anOnnxFilePredictsAsTheCommandLine() throws Exception {
        try (Model m = Model.load(LENET5_ONNX.toString()).to(Device.cpu())) {
            assertArrayEquals(new int[] {1, 28, 28}, m.inputShape());
            assertEquals(cliPredict(LENET5_ONNX.toString(), "cpu"), m.predict(Fixtures.EXAMPLE_DIGIT).toString());
        }
    }

    @Test
    void theExamplesCompileAndRun(@TempDir Path dir) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-Xlint:all,-path", "-Werror", "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path")));
        try (var files = Files.list(EXAMPLES)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        assertEquals(0, javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new)),
                diagnostics.toString(StandardCharsets.UTF_8));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Path ckpt = normalisedCheckpoint(dir);
            String classified = runMain(loader, "ClassifyImage", ckpt.toString(), DIGIT);
            // The example computes on Device.auto(), as the command line does by default (the software GPU in CI).
            assertEquals(DIGIT + ": " + cliPredict(ckpt.toString(), "auto"), classified.strip());

            Path data = Fixtures.digitFolders(dir.resolve("digits"), Map.of("zero", 0, "one", 1, "two", 2), 24);
            Path out = dir.resolve("out");
            String tuned = runMain(loader, "FineTuneOnnx", LENET5_ONNX.toString(), data.toString(), out.toString());
            List<String> lines = tuned.lines().toList();
            assertEquals(4, lines.size(), tuned);
            double first = trainLoss(lines.get(0), 1);
            double last = trainLoss(lines.get(2), 3);
            assertTrue(last < first, "fine-tuning lowers the training loss: " + tuned);
            assertTrue(lines.get(3).startsWith("saved " + out.resolve("fine-tuned.json") + " (classes [one, two, zero], "),
                    tuned);
            try (Model saved = Model.load(out.resolve("fine-tuned.json")).to(Device.cpu())) {
                assertEquals(List.of("one", "two", "zero"), saved.classes());
                assertEquals(3, saved.predict(Fixtures.EXAMPLE_DIGIT).probabilities().length);
            }
        }
    }

    @Test
    void theReadmeExampleCompiles(@TempDir Path dir) throws Exception {
        List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
        int start = readme.indexOf("## Use from Java");
        assertTrue(start >= 0, "the README has a Use from Java section");
        while (!readme.get(start).equals("```java")) {
            start++;
        }
        List<String> imports = new ArrayList<>();
        List<String> body = new ArrayList<>();
        for (int i = start + 1; !readme.get(i).equals("```"); i++) {
            (readme.get(i).startsWith("import ") ? imports : body).add(readme.get(i));
        }
        Path source = dir.resolve("ReadmeExample.java");
        Files.writeString(source, String.join("\n", imports) + "\nclass ReadmeExample {\n    void run() throws Exception {\n"
                + String.join("\n", body) + "\n    }\n}\n");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics, "-Xlint:all,-path", "-Werror",
                "-d", dir.toString(), "-cp", System.getProperty("java.class.path"), source.toString());
        assertEquals(0, status, diagnostics.toString(StandardCharsets.UTF_8));
    }

    private static double trainLoss(String line, int epoch) {
        assertTrue(line.matches("epoch " + epoch + ": train loss \\d+\\.\\d{4}, test accuracy \\d+\\.\\d%"), line);
        return Double.parseDouble(line.substring(line.indexOf("loss ") + 5, line.indexOf(',')));
    }

    /** Runs a compiled example's main and returns what it printed on stdout. */
    private static String runMain(ClassLoader loader, String name, String... args) throws Exception {
        Method main = loader.loadClass(name).getMethod("main", String[].class);
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
