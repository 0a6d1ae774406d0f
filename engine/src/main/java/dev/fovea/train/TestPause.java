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
 * Several points may be given, separated by commas. On pausing it prints {@code fovea-test: paused at WHERE} to stderr. Without the property a pause
 * point costs one comparison.
 */
final class TestPause {
    static final String PROPERTY = "fovea.test.pause";
    private static final java.util.Set<String> POINTS = System.getProperty(PROPERTY) == null ? java.util.Set.of()
            : java.util.Set.of(System.getProperty(PROPERTY).split(","));

    private TestPause() {
    }

    static void afterBatch(int epoch, int batch, BooleanSupplier stopRequested) {
        if (!POINTS.isEmpty() && POINTS.contains("batch:" + epoch + ":" + batch)) {
            pause("batch:" + epoch + ":" + batch, stopRequested);
        }
    }

    static void inSidecarWrite(String stem) {
        if (!POINTS.isEmpty() && POINTS.contains("checkpoint:" + stem)) {
            pause("checkpoint:" + stem, () -> false);
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
