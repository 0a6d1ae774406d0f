package dev.fovea.cli;

import dev.fovea.backend.cuda.DeviceOutOfMemoryException;
import dev.fovea.train.CheckpointWriteFailed;
import dev.fovea.train.TrainingInterrupted;
import dev.fovea.train.TrainingStopped;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each failure a user can meet becomes one line and its documented exit status; --verbose adds the trace. */
class ErrorsTest {

    @Command(name = "fails")
    static final class Fails implements Callable<Integer> {
        static Exception toThrow;

        @Option(names = "--verbose")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            throw toThrow;
        }
    }

    private record Run(int status, String err) {
    }

    private static Run run(Exception e, String... args) {
        Fails.toThrow = e;
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Fails()).setExecutionExceptionHandler(new Errors());
        cmd.setErr(new PrintWriter(err, true));
        return new Run(cmd.execute(args), err.toString());
    }

    private static void assertOneLine(Run r, int status, String message) {
        assertEquals(status, r.status(), r.err());
        assertEquals("fovea: " + message + System.lineSeparator(), r.err());
    }

    @Test
    void everyKindHasItsStatusAndOneLine() {
        assertOneLine(run(new TrainingStopped("training stopped: loss became NaN at epoch 1, batch 2")), 4,
                "training stopped: loss became NaN at epoch 1, batch 2");
        assertOneLine(run(new CheckpointWriteFailed(Path.of("/o/epoch-002.safetensors"),
                new IOException("No space left on device"), Path.of("/o/epoch-001.json"))), 5,
                "could not write checkpoint file /o/epoch-002.safetensors: No space left on device; the last complete "
                        + "checkpoint /o/epoch-001.json is intact: free space or choose another --out, then continue with "
                        + "--resume /o/epoch-001.json");
        assertOneLine(run(new DeviceOutOfMemoryException("conv2d forward input [256, 64, 32, 32]", 1 << 20, 2 << 20, 0)), 6,
                "conv2d forward input [256, 64, 32, 32]: out of GPU memory allocating 1 MiB (1048576 bytes); Fovea holds "
                        + "2 MiB in live tensors, the device reports 0 bytes free after releasing its cache. Use a smaller "
                        + "--batch-size, a lower --cudnn-workspace-mb, or a GPU with more memory");
        assertOneLine(run(new TrainingInterrupted("interrupted (SIGINT): stopped after epoch 1, batch 3 of 9", null)), 130,
                "interrupted (SIGINT): stopped after epoch 1, batch 3 of 9");
        assertOneLine(run(new AccessDeniedException("/runs/x")), 2, "/runs/x: permission denied");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Run r = run(new CheckpointWriteFailed(Path.of("/o/a"), new IOException("File too large"), null), "--verbose");
        assertEquals(5, r.status());
        assertTrue(r.err().startsWith("fovea: could not write checkpoint file /o/a: File too large"), r.err());
        assertTrue(r.err().contains("\tat "), r.err());
        assertFalse(run(new CheckpointWriteFailed(Path.of("/o/a"), new IOException("x"), null)).err().contains("\tat "));
    }
}
