package dev.fovea.conformance;

/**
 * A case file that cannot be used: bad JSON, a missing or mistyped field, data that does not fit
 * its shape, an unknown op or attribute. The message is one line naming the file, the case and the
 * field, e.g. {@code cases.json: case 'conv_same' (cases[2]): inputs.weight.data: shape [1, 1, 3, 3]
 * needs 9 values, got 8}.
 */
public final class CaseFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String caseName;
    private final String field;

    public CaseFileException(String file, String caseName, String field, String message, Throwable cause) {
        super(compose(file, caseName, field, message), cause);
        this.file = file;
        this.caseName = caseName;
        this.field = field;
    }

    public CaseFileException(String file, String caseName, String field, String message) {
        this(file, caseName, field, message, null);
    }

    public String file() {
        return file;
    }

    /** The case ("'name' (cases[i])"), or null for an error outside any case. */
    public String caseName() {
        return caseName;
    }

    /** The dotted path of the offending field inside the case (or the file), or null. */
    public String field() {
        return field;
    }

    private static String compose(String file, String caseName, String field, String message) {
        StringBuilder sb = new StringBuilder(file);
        if (caseName != null) {
            sb.append(": case ").append(caseName);
        }
        if (field != null) {
            sb.append(": ").append(field);
        }
        return sb.append(": ").append(message).toString();
    }
}
