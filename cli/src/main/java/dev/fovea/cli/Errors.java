package dev.fovea.cli;

import dev.fovea.backend.cuda.CudaException;
import dev.fovea.backend.cuda.DeviceOutOfMemoryException;
import dev.fovea.io.FormatException;
import dev.fovea.train.CheckpointWriteFailed;
import dev.fovea.train.TrainingInterrupted;
import dev.fovea.train.TrainingStopped;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/**
 * Turns the errors a user can cause (bad files, bad arguments, missing libraries, a diverging run)
 * into one line and an exit status instead of a stack trace; --verbose adds the trace.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    /** Bad input: a file, an argument or a model that does not fit. */
    static final int BAD_INPUT = 2;
    /** The requested device cannot be used. */
    static final int DEVICE_UNAVAILABLE = 3;
    /** Training stopped on a non-finite loss (the last good checkpoint is kept). */
    static final int TRAINING_STOPPED = 4;
    /** A checkpoint could not be written (disk full, unwritable directory); the previous one is intact. */
    static final int WRITE_FAILED = 5;
    /** The GPU ran out of memory. */
    static final int OUT_OF_MEMORY = 6;
    /** A CUDA, cuBLAS or cuDNN call failed (the message names the call, its error and the op). */
    static final int GPU_ERROR = 7;
    /** Stopped by Ctrl-C or SIGTERM after writing a checkpoint (128 + SIGINT, as shells report it). */
    static final int INTERRUPTED = 130;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        boolean verbose = parsed.hasMatchedOption("--verbose") || parsed.subcommand() != null
                && parsed.subcommand().hasMatchedOption("--verbose");
        int status;
        if (e instanceof TrainingStopped) {
            status = TRAINING_STOPPED;
        } else if (e instanceof TrainingInterrupted) {
            status = INTERRUPTED;
        } else if (e instanceof CheckpointWriteFailed) {
            status = WRITE_FAILED;
        } else if (e instanceof DeviceOutOfMemoryException) {
            status = OUT_OF_MEMORY;
        } else if (e instanceof CudaException) {
            status = GPU_ERROR;
        } else if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).startsWith("device ")) {
            status = DEVICE_UNAVAILABLE;
        } else if (e instanceof IllegalArgumentException || e instanceof FormatException || e instanceof IOException
                || e instanceof UncheckedIOException) {
            status = BAD_INPUT;
        } else {
            err.println("fovea: internal error: " + e);
            e.printStackTrace(err);
            err.flush();
            return 70;
        }
        err.println("fovea: " + message(e));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return status;
    }

    static String message(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": no such file" + (n.getReason() != null ? " (" + n.getReason() + ")" : "");
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            // Java's message for e.g. a permission problem is the bare path; say what went wrong.
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": "
                    + CheckpointWriteFailed.reason(f);
        }
        return withoutClassNames(e.getMessage() == null ? e.toString() : e.getMessage());
    }

    /** "java.io.EOFException: ..." and the like, as messages of wrapped library errors begin. */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(?:[a-z][a-z0-9_]*\\.)+(?:[A-Z][A-Za-z0-9_$]*(?:Exception|Error))(?::\\s*|\\b)");
    /** Jackson's hints about its own internals, such as "(class dev.fovea.optim.Sgd)" or source locations. */
    private static final Pattern JACKSON_DETAIL = Pattern.compile(
            "\\s*\\((?:class [a-z][\\w.$]*|through reference chain:[^)]*|for Object starting at[^)]*)\\)"
                    + "|\\s*at \\[Source:[^\\]]*]");

    /** A user reads what went wrong, not which Java class said so. */
    static String withoutClassNames(String message) {
        String m = JACKSON_DETAIL.matcher(message).replaceAll("");
        m = CLASS_NAME.matcher(m).replaceAll("");
        return m.isBlank() ? "an error without a message" : m.strip();
    }
}
