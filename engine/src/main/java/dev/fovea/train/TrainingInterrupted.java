package dev.fovea.train;

import java.nio.file.Path;

/**
 * Training stopped on request (Ctrl-C or SIGTERM) after finishing its batch and writing a
 * checkpoint; the message says where it stopped and the command that continues it.
 */
public final class TrainingInterrupted extends RuntimeException {
    private final transient Path checkpoint;

    public TrainingInterrupted(String message, Path checkpoint) {
        super(message);
        this.checkpoint = checkpoint;
    }

    /** The sidecar of the checkpoint written on the way out. */
    public Path checkpoint() {
        return checkpoint;
    }
}
