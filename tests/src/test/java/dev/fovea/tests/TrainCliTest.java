package dev.fovea.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training commands end to end, in-process: train on a slice of the embedded digits, then eval,
 * predict, visualize and summary on what it wrote, and the one-line errors for bad input.
 */
class TrainCliTest {
    private static final Path MODEL = Path.of("..", "examples", "models", "mnist-cnn.json");

    @Test
    void trainThenEvalPredictAndVisualize(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Cli train = Cli.run("train", "--device", "cpu", "--limit", "512", "--epochs", "1", "--batch-size", "32",
                "--out", out.toString());
        assertEquals(0, train.status(), train.toString());
        assertTrue(train.out().contains("training mnist-cnn on mnist-digits/train (512 train / 128 test images"),
                train.out());
        assertTrue(train.out().matches("(?s).*epoch 1: train loss \\d+\\.\\d+, train accuracy \\d+\\.\\d+%, test loss "
                + "\\d+\\.\\d+, test accuracy .*"), train.out());
        Path ckpt = out.resolve("epoch-001.json");
        assertTrue(Files.isRegularFile(ckpt));
        assertTrue(ImageIO.read(out.resolve("loss.png").toFile()).getWidth() > 100);

        Cli eval = Cli.run("eval", ckpt.toString(), "--device", "cpu");
        assertEquals(0, eval.status(), eval.toString());
        assertTrue(eval.out().contains("mnist-digits/test (2000 images, cpu): accuracy"), eval.out());
        assertTrue(eval.out().contains("confusion matrix"), eval.out());

        Path idx = Path.of("..", "engine", "src", "main", "resources", "dev", "fovea", "data", "mnist-digits",
                "t10k-images-idx3-ubyte.gz");
        Cli predict = Cli.run("predict", ckpt.toString(), idx.toString(), "--limit", "3", "--device", "cpu");
        assertEquals(0, predict.status(), predict.toString());
        assertEquals(3, predict.out().lines().filter(l -> l.matches("t10k-images-idx3-ubyte.gz\\[\\d\\]: \\d \\d+\\.\\d\\d%.*"))
                .count(), predict.out());

        Path png = dir.resolve("maps.png");
        Cli vis = Cli.run("visualize", ckpt.toString(), "--layer", "relu_1", "--out", png.toString(), "--device", "cpu");
        assertEquals(0, vis.status(), vis.toString());
        assertTrue(vis.out().contains("wrote 32 feature maps of relu_1 (26x26)"), vis.out());
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 26 * 4);

        Cli more = Cli.run("train", "--resume", ckpt.toString(), "--epochs", "2", "--device", "cpu");
        assertEquals(0, more.status(), more.toString());
        assertTrue(more.out().contains("resuming mnist-cnn from"), more.out());
        assertTrue(more.out().contains("epoch 2:"), more.out());
        assertTrue(Files.isRegularFile(out.resolve("epoch-002.json")), "a resumed run writes beside its checkpoint");
    }

    @Test
    void summaryOfAModelFile() {
        Cli s = Cli.run("summary", MODEL.toString(), "--batch-size", "64");
        assertEquals(0, s.status(), s.toString());
        assertTrue(s.out().contains("total: 1,199,882 parameters"), s.out());
        assertTrue(s.out().matches("(?s).*conv2 +conv2d +\\[1, 64, 24, 24\\] +18,496 +10,616,832 +5 +1.*"), s.out());
    }

    @Test
    void badInputGetsOneLineAndStatus2(@TempDir Path dir) throws Exception {
        Cli typo = Cli.run("train", "--model", "mnist-cnnn", "--device", "cpu", "--out", dir.toString());
        assertEquals(2, typo.status(), typo.toString());
        assertTrue(typo.err().startsWith("fovea: unknown model 'mnist-cnnn'; the zoo has: mnist-cnn"), typo.err());
        assertFalse(typo.err().contains("\tat "), "no stack trace without --verbose");

        Path garbage = dir.resolve("ckpt.json");
        Files.writeString(garbage, "{\"format\": \"something-else\"}");
        Cli bad = Cli.run("eval", garbage.toString(), "--device", "cpu");
        assertEquals(2, bad.status(), bad.toString());
        assertTrue(bad.err().contains("ckpt.json") && bad.err().contains("format"), bad.err());

        Cli wrongData = Cli.run("train", "--model", "resnet18-cifar", "--device", "cpu", "--out",
                dir.resolve("cifar").toString());
        assertEquals(2, wrongData.status(), wrongData.toString());
        assertTrue(wrongData.err().contains("expects input [1, 3, 32, 32]"), wrongData.err());
    }
}
