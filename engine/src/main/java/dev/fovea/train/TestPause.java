package dev.fovea.train;

import java.util.function.BooleanSupplier;

/**
 * Test-only pause points, so that the kill tests can SIGKILL or interrupt a training process at an
 * exact moment instead of a lucky one. Enabled only by the system property {@code fovea.test.pause}:
 * <ul>
 *   <li>{@code batch:E:B} pauses after batch B of epoch E (both 1-based) until the trainer is asked to
 *       stop (Ctrl-C), then training goes on as it would have;</li>
 *   <li>{@code checkpoint:STEM} pauses forever while writing checkpoint STEM's sidecar (e.g. epoch-002),
 *       with its bytes in the temporary file and before the rename that commits it.</li>
 * </ul>
 * On pausing it prints {@code fovea-test: paused at WHERE} to stderr. Without the property a pause
 * point costs one comparison.
 */
final class TestPause {
    static final String PROPERTY = "fovea.test.pause";
    private static final String SPEC = System.getProperty(PROPERTY);

    private TestPause() {
    }

    static void afterBatch(int epoch, int batch, BooleanSupplier stopRequested) {
        if (SPEC != null && SPEC.equals("batch:" + epoch + ":" + batch)) {
            pause(SPEC, stopRequested);
        }
    }

    static void inSidecarWrite(String stem) {
        if (SPEC != null && SPEC.equals("checkpoint:" + stem)) {
            pause(SPEC, () -> false);
        }
    }

    private static void pause(String where, BooleanSupplier until) {
        System.err.println("fovea-test: paused at " + where);
        System.err.flush();
        while (!until.getAsBoolean()) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
