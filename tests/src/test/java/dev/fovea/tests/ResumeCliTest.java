package dev.fovea.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `fovea train --resume`: more epochs extend the cosine schedule (they do not train at learning rate
 * 0), options given again override the run's settings, and those its checkpoint cannot follow are
 * refused with the reason. Nothing given is ignored.
 */
class ResumeCliTest {
    @TempDir
    static Path shared;
    static Path run;

    /** Two epochs of the tiny model with the default cosine schedule. */
    @BeforeAll
    static void twoEpochs() throws Exception {
        run = shared.resolve("run");
        Fixtures.trainTiny(shared, run, "--epochs", "2");
    }

    /** A copy of the two-epoch run, so that each test resumes from the same place. */
    private static Path copy(Path dir) throws Exception {
        Path to = Files.createDirectories(dir.resolve("copy"));
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private static List<Double> learningRates(Path dir) throws Exception {
        return Files.readAllLines(dir.resolve("history.csv")).stream().skip(1)
                .map(l -> Double.parseDouble(l.split(",")[5])).toList();
    }

    private static JsonNode sidecar(Path p) throws Exception {
        return new ObjectMapper().readTree(p.toFile());
    }

    @Test
    void moreEpochsStretchTheCosineScheduleInsteadOfTrainingAtZero(@TempDir Path dir) throws Exception {
        Path d = copy(dir);
        Cli more = Cli.run("train", "--resume", d.resolve("epoch-002.json").toString(), "--epochs", "4", "--device", "cpu");
        assertEquals(0, more.status(), more.toString());
        assertTrue(more.out().contains("changed: --epochs 2 -> 4, the cosine schedule now spans 4 epochs (it spanned 2), "
                + "so epoch 3 trains at lr 0.0250"), more.out());
        List<Double> lr = learningRates(d);
        assertEquals(4, lr.size());
        assertEquals(0.05 * (1 + Math.cos(Math.PI * 2 / 4)) / 2, lr.get(2), 1e-6, "epoch 3 on a cosine over 4 epochs");
        assertTrue(lr.get(3) > 0, "epoch 4 still learns: " + lr);
    }

    @Test
    void optionsGivenAgainOverrideTheRunsSettings(@TempDir Path dir) throws Exception {
        Path d = copy(dir);
        Cli more = Cli.run("train", "--resume", d.toString(), "--epochs", "3", "--lr", "0.01", "--batch-size", "16",
                "--schedule", "constant", "--augment", "none", "--device", "cpu");
        assertEquals(0, more.status(), more.toString());
        assertTrue(more.out().contains("resuming model file 'tiny' from " + d.resolve("epoch-002.json")), more.out());
        assertTrue(more.out().contains("--batch-size 32 -> 16") && more.out().contains("--lr 0.05 -> 0.01")
                && more.out().contains("--schedule cosine -> constant") && more.out().contains("--augment crop=2 -> none"),
                more.out());
        JsonNode s = sidecar(d.resolve("epoch-003.json"));
        assertEquals(0.01, s.path("optimizer").path("lr").asDouble());
        assertEquals(16, s.path("run").path("batch_size").asInt());
        assertTrue(s.path("run").path("augment").isNull(), s.path("run").toString());
        assertEquals(0.01, learningRates(d).get(2), 1e-9, "a constant 0.01 from epoch 3");
    }

    @Test
    void whatTheCheckpointCannotFollowIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        String ckpt = copy(dir).resolve("epoch-002.json").toString();
        String[][] refused = {
            {"--optimizer", "adam", "the run trains with sgd and its checkpoint holds sgd's state"},
            {"--model", "lenet5", "is a run of model file 'tiny', which --resume continues"},
            {"--num-classes", "3", "a new classifier head starts a new run: --init-from"},
            {"--normalize", "0.5,0.5", "the run was trained on inputs normalised with none"},
            {"--init-from", ckpt, "give one of them"},
            {"--schedule", "cosine:2", "epochs 3-4 would train at 0; give cosine:4"},
        };
        for (String[] r : refused) {
            Cli c = Cli.run("train", "--resume", ckpt, "--epochs", "4", r[0], r[1], "--device", "cpu");
            assertEquals(2, c.status(), c.toString());
            assertTrue(c.err().startsWith("fovea: " + r[0] + " ") && c.err().contains(r[2]), c.err());
            assertEquals(1, c.err().lines().count(), "one line: " + c.err());
        }
        Cli done = Cli.run("train", "--resume", ckpt, "--device", "cpu");
        assertEquals(0, done.status(), done.toString());
        assertTrue(done.out().startsWith("nothing to do: " + ckpt + " already has 2 epochs"), done.out());
        assertFalse(Files.exists(Path.of(ckpt).resolveSibling("epoch-005.json")));
    }
}
