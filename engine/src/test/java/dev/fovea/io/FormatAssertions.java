package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** Asserts the shape of parser errors: a {@link FormatException} whose one-line message names file and field. */
public final class FormatAssertions {
    private FormatAssertions() {
    }

    /**
     * Runs {@code parse}, expects a FormatException for {@code file} whose field contains
     * {@code fieldPart} and whose message contains {@code messagePart}; returns it.
     */
    public static FormatException assertMalformed(String file, String fieldPart, String messagePart, Executable parse) {
        FormatException e = assertThrows(FormatException.class, parse);
        String msg = e.getMessage();
        assertEquals(file, e.file(), msg);
        assertTrue(e.field().contains(fieldPart), "field '" + e.field() + "' should name " + fieldPart + ": " + msg);
        assertTrue(msg.startsWith(file + ": " + e.field() + ": "), "message should start with file and field: " + msg);
        assertTrue(msg.contains(messagePart), "message should say '" + messagePart + "': " + msg);
        assertFalse(msg.contains("\n") || msg.contains("\r"), "message must be one line: " + msg);
        return e;
    }
}
