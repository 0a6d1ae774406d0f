package dev.fovea.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions shared by the reference-op tests: error messages that carry context, finite results. */
final class RefAsserts {
    private RefAsserts() {
    }

    /** The message contains every part (op, parameter, shapes), each reported separately when missing. */
    static void assertMessage(IllegalArgumentException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message lacks '" + part + "': " + e.getMessage());
        }
    }

    static void assertAllFinite(String what, float[] a) {
        for (int i = 0; i < a.length; i++) {
            assertTrue(Float.isFinite(a[i]), what + "[" + i + "] = " + a[i]);
        }
    }
}
