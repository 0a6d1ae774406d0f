package dev.fovea.train;

/** Training stopped on purpose (a non-finite loss); the message says where and which checkpoint is good. */
public final class TrainingStopped extends RuntimeException {
    public TrainingStopped(String message) {
        super(message);
    }
}
