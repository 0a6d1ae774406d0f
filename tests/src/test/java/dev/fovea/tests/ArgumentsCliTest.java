package dev.fovea.tests;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.cli.Fovea;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One vocabulary and honest defaults: PyTorch's learning rate per optimizer, every option described
 * with its default, --model and --device wherever they make sense, and every number checked before
 * any data is read.
 */
class ArgumentsCliTest {

    @Test
    void adamWithoutLrTrainsAtPyTorchsDefaultNotSgds(@TempDir Path dir) throws Exception {
        Cli c = Fixtures.trainTiny(dir, dir.resolve("run"), "--optimizer", "adam", "--limit", "128");
        assertTrue(c.out().contains(", adam lr 0.001, cosine schedule over 1 epoch,"), c.out());
        var side = new ObjectMapper().readTree(dir.resolve("run/epoch-001.json").toFile());
        assertEquals(0.001, side.path("optimizer").path("lr").asDouble());
        Cli momentum = Cli.run("train", "--optimizer", "adam", "--momentum", "0.9", "--device", "cpu", "--out",
                dir.resolve("x").toString());
        assertEquals(2, momentum.status(), momentum.toString());
        assertTrue(momentum.err().startsWith("fovea: --momentum: adam has no momentum setting"), momentum.err());
    }

    @Test
    void everyNumberIsCheckedBeforeAnyDataIsRead(@TempDir Path dir) throws Exception {
        String missing = dir.resolve("no-such-data").toString();
        String ckpt = dir.resolve("no-such-checkpoint.json").toString();
        String[][] cases = {
            {"--batch-size 0: must be at least 1", "train", "--batch-size", "0", "--data", missing},
            {"--limit 0: must be at least 1", "train", "--limit", "0", "--data", missing},
            {"--epochs 0: must be at least 1", "train", "--epochs", "0", "--data", missing},
            {"--keep 0: must be at least 1", "train", "--keep", "0", "--data", missing},
            {"--num-classes 1: must be at least 2", "train", "--num-classes", "1", "--data", missing},
            {"--lr -0.1: must be a number greater than 0", "train", "--lr", "-0.1", "--data", missing},
            {"--momentum 1.5: must be at least 0 and less than 1", "train", "--momentum", "1.5", "--data", missing},
            {"--schedule 'step:1:1.5': GAMMA multiplies", "train", "--schedule", "step:1:1.5", "--data", missing},
            {"--augment 'crop=-1': expected crop=P", "train", "--augment", "crop=-1", "--data", missing},
            {"--top 0: must be at least 1", "predict", ckpt, "x.png", "--top", "0"},
            {"--limit 0: must be at least 1", "predict", ckpt, "x.png", "--limit", "0"},
            {"--batch-size 0: must be at least 1", "eval", ckpt, "--batch-size", "0"},
            {"--scale 0: must be at least 1", "visualize", ckpt, "--layer", "conv1", "--scale", "0"},
            {"--index -1: must be at least 0", "visualize", ckpt, "--layer", "conv1", "--index", "-1"},
            {"--batch-size 0: must be at least 1", "summary", "--batch-size", "0"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of(c).subList(1, c.length));
            args.addAll(List.of("--out", dir.resolve("out").toString()).subList(0, c[1].equals("train") ? 2 : 0));
            if (!c[1].equals("summary")) {
                args.addAll(List.of("--device", "cpu"));
            }
            Cli r = Cli.run(args.toArray(String[]::new));
            assertEquals(2, r.status(), r.toString());
            assertTrue(r.err().startsWith("fovea: " + c[0]), "the argument, not the data or file: " + r.err());
        }
    }

    @Test
    void everyOptionSaysWhatItDoesAndItsDefault() {
        List<String> problems = new ArrayList<>();
        check(Fovea.commandLine(), problems);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static void check(CommandLine cmd, List<String> problems) {
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            String d = String.join(" ", o.description());
            if (d.isBlank()) {
                problems.add(cmd.getCommandName() + " " + o.longestName() + ": no description");
            } else if (!d.contains("default") && !d.contains("required")) {
                problems.add(cmd.getCommandName() + " " + o.longestName() + ": no default in \"" + d + "\"");
            }
        }
        cmd.getSubcommands().values().forEach(sub -> check(sub, problems));
    }

    @Test
    void modelAndDeviceMeanTheSameEverywhere(@TempDir Path dir) throws Exception {
        Cli summary = Cli.run("summary", "--model", "lenet5");
        assertEquals(0, summary.status(), summary.toString());
        assertTrue(summary.out().startsWith("model lenet5, input [1, 1, 28, 28]"), summary.out());
        assertEquals(summary.out(), Cli.run("summary", "lenet5").out(), "positional and --model alike");
        Cli both = Cli.run("summary", "lenet5", "--model", "mnist-cnn");
        assertEquals(2, both.status(), both.toString());

        Cli conformance = Cli.run("conformance", "--device", "cpu", "--filter", "relu");
        assertEquals(0, conformance.status(), conformance.toString());
        assertTrue(conformance.out().contains("cases on cpu"), conformance.out());
        Cli bench = Cli.run("bench", "ops", "--device", "cpu", "--quick", "--only", "sgemm 256");
        assertEquals(0, bench.status(), bench.toString());
        assertTrue(bench.out().contains("sgemm 256"), bench.out());
    }
}
