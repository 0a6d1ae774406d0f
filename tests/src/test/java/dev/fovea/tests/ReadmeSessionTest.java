package dev.fovea.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's example session, read from the README and run as written, top to bottom, each
 * command a `fovea` process in one working directory (holding the repository's examples/), as a
 * user at the repository's root would. Its `train` is the main job with every default (mnist-cnn,
 * the embedded digits, 4 epochs), which must reach the promised 97% on the 2,000 test digits; it is
 * the slowest test (a few minutes on 2 cores) and the one that matters most to a new user. It runs
 * with FOVEA_DEVICE=cpu: the GPU paths have their own end-to-end tests (SoftGpuCliTest).
 */
class ReadmeSessionTest {
    private static final Path README = Path.of("..", "README.md");

    /** The `$ ./fovea ...` lines of the block after "An example session", without comments. */
    static List<List<String>> session() throws Exception {
        List<String> lines = Files.readAllLines(README);
        int start = 0;
        while (start < lines.size() && !lines.get(start).startsWith("An example session")) {
            start++;
        }
        assertTrue(start < lines.size(), "the README has an example session");
        List<List<String>> commands = new ArrayList<>();
        int i = start + 1;
        while (!lines.get(i).startsWith("```")) {
            i++;
        }
        for (i++; !lines.get(i).startsWith("```"); i++) {
            String l = lines.get(i).replaceFirst("\\s+#.*$", "").strip();
            if (l.startsWith("$ ./fovea ")) {
                commands.add(Arrays.asList(l.substring("$ ./fovea ".length()).split("\\s+")));
            }
        }
        return commands;
    }

    @Test
    void theExampleSessionRunsAsWritten(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("examples"));
        Files.copy(Fixtures.EXAMPLE_DIGIT, dir.resolve("examples/digit.png"));
        List<List<String>> session = session();
        assertTrue(session.size() >= 8, "the session: " + session);
        for (List<String> command : session) {
            // As on a machine without a GPU (what the README's numbers are for): `mvn verify` puts the software
            // GPU on the library path, where --device auto would train on it at about half the CPU's speed.
            try (TrainingProcess p = TrainingProcess.start(dir.resolve("logs"), dir, Map.of("FOVEA_DEVICE", "cpu"),
                    List.of(), null, command.toArray(String[]::new))) {
                assertEquals(0, p.waitFor(900), "fovea " + String.join(" ", command) + "\n" + p);
                check(command, p.stdout(), dir);
            }
        }
    }

    /** What each step of the session promises, beyond finishing. */
    private static void check(List<String> command, String out, Path dir) throws Exception {
        String line = String.join(" ", command);
        if (line.equals("train --out runs/digits")) {
            List<String> history = Files.readAllLines(dir.resolve("runs/digits/history.csv"));
            assertEquals(5, history.size(), "header + 4 epochs");
            double accuracy = Double.parseDouble(history.get(4).split(",")[3]);
            assertTrue(accuracy >= 0.97, "test accuracy after the default epochs: " + accuracy);
        } else if (line.startsWith("train --resume")) {
            List<String> history = Files.readAllLines(dir.resolve("runs/digits/history.csv"));
            assertEquals(7, history.size(), "header + 6 epochs");
            for (String row : history.subList(5, 7)) {
                assertTrue(Double.parseDouble(row.split(",")[5]) > 0, "epochs 5 and 6 still learn: " + row);
            }
        } else if (line.startsWith("predict")) {
            assertTrue(out.startsWith("examples/digit.png: 7 "), out);
        } else if (line.startsWith("visualize")) {
            assertTrue(Files.size(dir.resolve("relu1.png")) > 1000, out);
        }
    }
}
