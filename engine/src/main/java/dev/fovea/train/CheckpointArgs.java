package dev.fovea.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.io.FileBytes;
import dev.fovea.data.IdxFiles;
import dev.fovea.io.Json;
import dev.fovea.io.Limits;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a checkpoint argument names, with a message that says what is wrong when it is not a
 * checkpoint: a missing file, a directory (its latest checkpoint is used), an image or an IDX data
 * file given in the checkpoint's place, a model file, or weights without their sidecar.
 */
public final class CheckpointArgs {
    private static final ObjectMapper JSON = Json.strict().build();

    private CheckpointArgs() {
    }

    /** A Fovea checkpoint (its sidecar), or bare weights (a .safetensors without one). */
    public record Resolved(Path path, boolean bare) {
    }

    /**
     * Resolves {@code arg}; {@code what} names it in messages ("--resume", "CHECKPOINT"). A directory
     * stands for its latest checkpoint; {@code bareAllowed} (a model was named) takes a .safetensors
     * as bare weights of that model.
     */
    public static Resolved resolve(Path arg, String what, boolean bareAllowed) throws IOException {
        if (!Files.exists(arg)) {
            throw new NoSuchFileException(arg.toString());
        }
        if (Files.isDirectory(arg)) {
            return new Resolved(CheckpointFiles.latest(arg).map(CheckpointFiles.Entry::sidecar).orElseThrow(
                    () -> new IllegalArgumentException(arg + ": a directory without checkpoints (epoch-NNN.json) in it;"
                            + " " + what + " takes a checkpoint or a run directory")), false);
        }
        // A FIFO or device is refused by name before it is opened (opening a FIFO would block).
        FileBytes.regularFileSize(arg);
        String kind = contentKind(arg);
        if (kind != null) {
            throw new IllegalArgumentException(arg + ": " + kind + ", not a checkpoint; " + what + " takes a checkpoint "
                    + "(NAME.json beside NAME.safetensors) or a run directory");
        }
        String name = arg.getFileName().toString();
        if (name.endsWith(".json")) {
            String format = jsonFormat(arg);
            if ("fovea-model/1".equals(format)) {
                throw new IllegalArgumentException(arg + ": a model file, not a checkpoint; give it as --model "
                        + "(summary, train) or train it first");
            }
            return new Resolved(arg, false);
        }
        if (bareAllowed && name.endsWith(".safetensors")) {
            return new Resolved(arg, true); // --model says these are weights of that model, sidecar or not
        }
        Path side = Checkpoint.sidecarBeside(arg);
        if (name.endsWith(".safetensors") && !Files.isRegularFile(side)) {
            if (!bareAllowed) {
                throw new IllegalArgumentException(arg + ": weights without their checkpoint sidecar " + side.getFileName()
                        + "; " + what + " needs a Fovea checkpoint (NAME.json + NAME.safetensors)"
                        + (what.equals("--resume") ? "" : ", or --model naming the architecture of bare weights"));
            }
            return new Resolved(arg, true);
        }
        return new Resolved(name.endsWith(".safetensors") ? side : arg, false);
    }

    /** "an image (PNG)" or "an IDX data file" when the content says so, else null. */
    public static String contentKind(Path file) throws IOException {
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 4 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G') {
            return "an image (PNG)";
        }
        if (n >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            return "an image (JPEG)";
        }
        if (n >= 4 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F' && head[3] == '8') {
            return "an image (GIF)";
        }
        String idx = IdxFiles.kind(file);
        return idx == null ? null : "an IDX data file (" + idx + ")";
    }

    /** The "format" field of a JSON file (lower case), or null when it has none or is no JSON. */
    public static String jsonFormat(Path file) {
        try {
            // Read as the sidecar reader reads it (bounded, strict): what it cannot read is its error to report.
            JsonNode root = JSON.readTree(FileBytes.read(file, Limits.SIDECAR_BYTES, "the limit for checkpoint sidecars"));
            return root != null && root.path("format").isTextual() ? root.get("format").asText().toLowerCase(Locale.ROOT)
                    : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
