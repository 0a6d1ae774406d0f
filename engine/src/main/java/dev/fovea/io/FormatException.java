package dev.fovea.io;

/**
 * A malformed input file: the one exception every Fovea parser throws for bad content (IDX, CIFAR-10
 * batches, image folders, safetensors). I/O failures (missing file, permission denied) stay
 * {@link java.io.IOException}s; anything wrong with the bytes themselves is a {@code FormatException}.
 *
 * <p>The message is one line, "FILE: FIELD: PROBLEM", naming the file, the field that is wrong and
 * what was expected, so that a command-line tool can print it as is, without a stack trace.
 */
public final class FormatException extends RuntimeException {
    private final String file;
    private final String field;
    private final String problem;

    /**
     * @param file    the file (or resource) being parsed, as the user would recognise it
     * @param field   the field or part of the file that is wrong, e.g. "header.magic" or "tensor 'fc1.weight'.shape"
     * @param problem what was expected and what was found
     */
    public FormatException(String file, String field, String problem) {
        super(oneLine(file + ": " + field + ": " + problem));
        this.file = file;
        this.field = field;
        this.problem = oneLine(problem);
    }

    public FormatException(String file, String field, String problem, Throwable cause) {
        this(file, field, problem);
        initCause(cause);
    }

    /** Messages quoted from libraries (Jackson, ImageIO) may span lines; a CLI prints one. */
    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    public String file() {
        return file;
    }

    public String field() {
        return field;
    }

    /** What is wrong, without the file and field. */
    public String problem() {
        return problem;
    }
}
