package dev.fovea.tests;

import dev.fovea.nn.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `fovea import`: the files it writes work with the other commands, and bad files are one line with status 2. */
class OnnxImportCliTest {
    private static final Path DIR = Path.of("src", "test", "resources", "onnx");

    @Test
    void importWritesAModelFileAndWeightsThatEvaluate(@TempDir Path out) throws Exception {
        Cli c = Cli.run("import", DIR.resolve("lenet5.onnx").toString(), "--out", out.toString());
        assertEquals(0, c.status(), c.toString());
        Path json = out.resolve("model.json");
        Path weights = out.resolve("weights.safetensors");
        assertTrue(Files.isRegularFile(json) && Files.isRegularFile(weights), c.toString());
        ModelFile.read(json);
        Cli again = Cli.run("import", DIR.resolve("lenet5.onnx").toString(), "--out", out.toString());
        assertEquals(2, again.status(), again.toString());
        assertTrue(again.err().contains("exists; give --overwrite"), again.err());
        Path idx = Path.of("..", "engine", "src", "main", "resources", "dev", "fovea", "data", "mnist-digits",
                "t10k-images-idx3-ubyte.gz");
        Cli p = Cli.run("predict", weights.toString(), idx.toString(), "--model", json.toString(), "--limit", "2",
                "--device", "cpu");
        assertEquals(0, p.status(), p.toString());
        // The imported weights with the ONNX file as --model (its architecture), and the ONNX file alone.
        Cli bare = Cli.run("predict", weights.toString(), idx.toString(), "--model", DIR.resolve("lenet5.onnx").toString(),
                "--limit", "2", "--device", "cpu");
        assertEquals(0, bare.status(), bare.toString());
        assertEquals(p.out(), bare.out());
        Cli direct = Cli.run("predict", DIR.resolve("lenet5.onnx").toString(), idx.toString(), "--limit", "2", "--device", "cpu");
        assertEquals(0, direct.status(), direct.toString());
        assertEquals(p.out(), direct.out());
        assertTrue(direct.err().contains("is an ONNX model: no normalisation is applied"), direct.err());
        Cli eval = Cli.run("eval", DIR.resolve("lenet5.onnx").toString(), "--data", "mnist-digits",
                "--device", "cpu");
        assertEquals(0, eval.status(), eval.toString());
        // Fine-tuning from the ONNX weights: the imported weights as --init-from of the imported model file.
        Cli tune = Cli.run("train", "--init-from", weights.toString(), "--model", json.toString(), "--epochs", "1",
                "--limit", "64", "--batch-size", "32", "--device", "cpu", "--out", out.resolve("run").toString());
        assertEquals(0, tune.status(), tune.toString());
        Cli s = Cli.run("summary", DIR.resolve("resnet-cifar-w4.onnx").toString());
        assertEquals(0, s.status(), s.toString());
        // PyTorch's module names: the model is a Sequential whose item 3 is a block.
        assertTrue(s.out().contains("3.body.0 ") && s.out().contains("3.body.2 "), s.out());
    }

    @Test
    void hostileFilesAreOneLineAndStatus2(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(DIR.resolve("all-ops.onnx"));
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(good, good.length / 3));
        Path lying = dir.resolve("lying.onnx");
        Files.write(lying, new byte[] {0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f, 1, 2, 3});
        for (Path bad : new Path[] {cut, lying, dir}) {
            Cli c = Cli.run("import", bad.toString(), "--out", dir.resolve("out").toString());
            assertEquals(2, c.status(), c.toString());
            assertEquals(1, c.err().lines().count(), c.err());
            assertFalse(c.err().contains("Exception") || c.err().contains("\tat "), c.err());
            assertFalse(Files.exists(dir.resolve("out").resolve("model.json")));
        }
    }
}
