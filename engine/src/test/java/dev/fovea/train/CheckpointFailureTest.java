package dev.fovea.train;

import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.data.Augmentation;
import dev.fovea.data.EmbeddedDatasets;
import dev.fovea.data.Splits;
import dev.fovea.io.FormatException;
import dev.fovea.optim.LrSchedule;
import dev.fovea.optim.Sgd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Checkpoint writes that fail (the output directory replaced, read-only) are reported with the file
 * and the operating system's reason, leave no partial checkpoint, and keep the earlier one; the
 * in-epoch position of an interrupt checkpoint round-trips and is validated on read. The forked
 * file-size-limit test (tests/InterruptedRunTest) covers a full disk.
 */
class CheckpointFailureTest {
    static Splits data;

    @BeforeAll
    static void load() throws Exception {
        Splits all = EmbeddedDatasets.mnistDigits();
        data = new Splits(all.train().first(96), all.test().first(32));
    }

    private static Trainer trainer(Path out, int epochs, Writer log) {
        Trainer.Config cfg = new Trainer.Config(epochs, 32, 7, new Sgd(0.05, 0.9, 0, false, 0), new LrSchedule.Constant(),
                null, Augmentation.NONE, out, Trainer.NonFinite.STOP, false, new PrintWriter(log, true), null);
        return new Trainer(new ModelSpec(null, TrainerTest.MODEL), new CpuBackend(), data, cfg);
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anOutputDirectoryThatGoesAwayMidRunStopsWithTheFileAndReason(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Path saved = dir.resolve("saved");
        // After epoch 1 is reported, the directory is moved away and a plain file takes its place.
        Writer log = new Writer() {
            final StringBuilder text = new StringBuilder();

            @Override
            public void write(char[] c, int off, int len) throws IOException {
                text.append(c, off, len);
                if (text.indexOf("epoch 1: train loss") >= 0 && !Files.exists(saved)) {
                    Files.move(out, saved);
                    Files.writeString(out, "not a directory");
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        CheckpointWriteFailed e = assertThrows(CheckpointWriteFailed.class, () -> trainer(out, 2, log).run(null));
        assertEquals("could not write checkpoint file " + out.resolve("epoch-002.json") + ": Not a directory; the last "
                + "complete checkpoint " + out.resolve("epoch-001.json") + " is intact: free space or choose another --out, "
                + "then continue with --resume " + out.resolve("epoch-001.json"), e.getMessage());
        assertEquals(out.resolve("epoch-002.json"), e.file());
        Checkpoint first = Checkpoint.read(saved.resolve("epoch-001.json"));
        assertEquals(1, first.epoch(), "the earlier checkpoint survives and loads");
    }

    @Test
    void aReadOnlyDirectoryIsReportedAsPermissionDenied(@TempDir Path dir) throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")),
                "root writes into read-only directories; the forked file-size-limit test covers this path as root");
        Path out = dir.resolve("ro");
        Files.createDirectories(out);
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            CheckpointWriteFailed e = assertThrows(CheckpointWriteFailed.class,
                    () -> trainer(out, 1, new java.io.StringWriter()).run(null));
            assertTrue(e.getMessage().startsWith("could not write checkpoint file " + out.resolve("epoch-001.safetensors")
                    + ": permission denied"), e.getMessage());
            assertEquals(List.of(), files(out));
        } finally {
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void theReasonIsTheOperatingSystemsInWords() {
        assertEquals("permission denied", CheckpointWriteFailed.reason(new AccessDeniedException("/x")));
        assertEquals("no such file or directory", CheckpointWriteFailed.reason(new NoSuchFileException("/x")));
        assertEquals("Read-only file system", CheckpointWriteFailed.reason(new FileSystemException("/x", null,
                "Read-only file system")));
        assertEquals("No space left on device", CheckpointWriteFailed.reason(new IOException("No space left on device")));
        assertEquals("could not write checkpoint file /o/epoch-001.safetensors: No space left on device",
                new CheckpointWriteFailed(Path.of("/o/epoch-001.safetensors"), new IOException("No space left on device"),
                        null).getMessage());
    }

    @Test
    void anInterruptCheckpointRecordsItsPositionAndABadOneIsRefused(@TempDir Path dir) throws Exception {
        Trainer.Result r = trainer(dir, 1, new java.io.StringWriter()).run(null);
        Checkpoint c = Checkpoint.read(r.lastCheckpoint());
        assertTrue(c.position().atStart());
        Checkpoint mid = new Checkpoint(c.model(), c.weights(), c.optimizerState(), c.optimizerSteps(), c.optimizer(),
                1, c.seed(), 5, c.normalization(), c.classes(), c.history(), c.run(),
                new EpochPosition(2, 4.75, 64, 1));
        Path side = mid.write(dir.resolve("epoch-002-batch-0002"));
        assertEquals(new EpochPosition(2, 4.75, 64, 1), Checkpoint.read(side).position());
        Files.writeString(side, Files.readString(side).replace("\"batch\" : 2", "\"batch\" : -2"));
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.read(side));
        assertTrue(e.getMessage().startsWith(side + ": in_epoch.batch: expected an integer in 0..2147483647, found -2"),
                e.getMessage());
    }
}
