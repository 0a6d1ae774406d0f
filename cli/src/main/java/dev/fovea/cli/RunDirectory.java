package dev.fovea.cli;

import dev.fovea.train.CheckpointFiles;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The directory a training writes to, held for the run's duration. Without --out a run gets a fresh
 * directory of its own (runs/train, runs/train2, ...); a directory that already holds files is
 * refused unless the run resumes into it or --overwrite was given, so that one run never silently
 * mixes its checkpoints and curves with another's. A lock file ({@value #LOCK}) names the process
 * that trains there; the operating system's lock on it ends with that process, so a lock left by a
 * killed run is recognised as stale and taken over.
 */
final class RunDirectory implements AutoCloseable {
    static final String LOCK = "train.lock";
    /** What --overwrite removes: the files a Fovea run writes, and nothing else. */
    private static final Pattern RUN_FILE = Pattern.compile(
            "epoch-\\d{3,}(-batch-\\d{4,})?\\.(json|safetensors|optim\\.safetensors)|history\\.csv|loss\\.png|accuracy\\.png"
                    + "|\\.(epoch-\\d{3,}(-batch-\\d{4,})?\\.(json|safetensors|optim\\.safetensors)|history\\.csv)\\..*\\.tmp");

    private final Path dir;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private RunDirectory(Path dir, Path lockFile, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    Path path() {
        return dir;
    }

    /** The first of runs/train, runs/train2, runs/train3, ... that does not exist or is empty. */
    static Path fresh(Path parent) throws IOException {
        for (int i = 1; ; i++) {
            Path p = parent.resolve(i == 1 ? "train" : "train" + i);
            if (!Files.exists(p) || Files.isDirectory(p) && isEmpty(p)) {
                return p;
            }
        }
    }

    /**
     * Creates and locks {@code dir}. {@code resumeDir} is the directory of the checkpoint a resumed
     * run continues (null for a new run): writing there is the point of resuming.
     */
    static RunDirectory open(Path dir, boolean overwrite, Path resumeDir, PrintWriter err) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + ": is a file, not a directory");
        }
        Files.createDirectories(dir);
        RunDirectory held = lock(dir, err);
        try {
            List<String> present = others(dir);
            boolean same = resumeDir != null && Files.isSameFile(dir, resumeDir);
            if (!present.isEmpty() && !same) {
                if (!overwrite) {
                    throw new IllegalArgumentException("--out " + dir + " already holds " + summary(present)
                            + ": continue that run with --resume " + dir + ", replace it with --overwrite, or choose "
                            + "another --out");
                }
                held.clearRun(err);
            }
            return held;
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static RunDirectory lock(Path dir, PrintWriter err) throws IOException {
        // A holder that finishes deletes the file between our open and our lock: we then hold the lock of a
        // file no longer there, which the check after locking notices; trying again opens the new one. The
        // file is never opened a second time meanwhile: closing any descriptor of it would drop a POSIX lock.
        for (int attempt = 0; ; attempt++) {
            RunDirectory held = tryLock(dir, err);
            if (held != null || attempt == 4) {
                if (held == null) {
                    throw new IOException("--out " + dir + ": the lock file " + LOCK + " keeps changing");
                }
                return held;
            }
        }
    }

    private static RunDirectory tryLock(Path dir, PrintWriter err) throws IOException {
        Path file = dir.resolve(LOCK);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by another training in this very process
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        String previous = read(ch);
        if (l == null) {
            ch.close();
            throw new IllegalArgumentException("--out " + dir + " is in use by another training ("
                    + (previous.isBlank() ? "its lock file " + file : previous.strip()) + "); wait for it to finish, "
                    + "or choose another --out");
        }
        if (!previous.isBlank()) {
            err.println("fovea: note: " + file + " was left by a training that is no longer running ("
                    + previous.strip() + "); taking it over");
            err.flush();
        }
        byte[] me = String.format("pid %d, fovea train since %s%n", ProcessHandle.current().pid(), Instant.now())
                .getBytes(StandardCharsets.UTF_8);
        if (!Files.exists(file)) {
            // Locked the file a finishing holder had just deleted; the lock must be on the one that is there.
            l.release();
            ch.close();
            return null;
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(me), 0);
        ch.force(true);
        return new RunDirectory(dir, file, ch, l);
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 4096));
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /** The entries of {@code dir} other than the lock file. */
    private static List<String> others(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(LOCK)).sorted().toList();
        }
    }

    private static String summary(List<String> names) {
        List<String> shown = names.size() <= 4 ? names : names.subList(0, 4);
        return String.join(", ", shown) + (names.size() > 4 ? " and " + (names.size() - 4) + " more" : "");
    }

    /** --overwrite: removes the previous run's checkpoints (sidecars first), curves and temporaries. */
    private void clearRun(PrintWriter err) throws IOException {
        for (CheckpointFiles.Entry e : CheckpointFiles.list(dir)) {
            CheckpointFiles.remove(e.sidecar());
        }
        List<String> kept = new ArrayList<>();
        for (String n : others(dir)) {
            if (RUN_FILE.matcher(n).matches()) {
                Files.deleteIfExists(dir.resolve(n));
            } else {
                kept.add(n);
            }
        }
        err.println("fovea: --overwrite: removed the previous run's files from " + dir
                + (kept.isEmpty() ? "" : " (kept " + summary(kept) + ", which a run does not write)"));
        err.flush();
    }

    /** Ends the hold: the lock file goes first, then the lock itself. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(lockFile);
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
