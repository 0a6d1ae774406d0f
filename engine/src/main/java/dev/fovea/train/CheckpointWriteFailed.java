package dev.fovea.train;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * A checkpoint could not be written (disk full, file too large, directory unwritable or gone). The
 * message names the file, the operating system's reason and the last complete checkpoint, which the
 * atomic writes leave intact; training stops rather than run on without a way back.
 */
public final class CheckpointWriteFailed extends IOException {
    private final transient Path file;

    /**
     * @param file     the checkpoint file being written
     * @param cause    the I/O failure
     * @param lastGood the sidecar of the last complete checkpoint of the run, or null if none
     */
    public CheckpointWriteFailed(Path file, IOException cause, Path lastGood) {
        super("could not write checkpoint file " + file + ": " + reason(cause) + (lastGood == null ? ""
                : "; the last complete checkpoint " + lastGood + " is intact: free space or choose another --out, "
                + "then continue with --resume " + lastGood), cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The same failure, told with the run's last complete checkpoint. */
    CheckpointWriteFailed withLastGood(Path lastGood) {
        return new CheckpointWriteFailed(file, (IOException) getCause(), lastGood);
    }

    /** The operating system's reason, in words (Java leaves it out of some exceptions' messages). */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file of that name already exists";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
