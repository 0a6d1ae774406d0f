package dev.fovea.backend.cpu;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says once per process, when the fast CPU backend is first opened in a JVM started without the
 * {@code jdk.incubator.vector} module, that it will run plain-Java kernels and which flag fixes that:
 * the kernels are correct either way, so without this line a library user would only see training
 * run 20-40x slower than it should.
 */
final class VectorApiNotice {
    static final String MESSAGE = "fovea: warning: the JVM was started without the Vector API module, so the cpu "
            + "backend runs plain-Java kernels (20-40x slower); add the JVM flag --add-modules jdk.incubator.vector";

    private static final AtomicBoolean SAID = new AtomicBoolean();

    private VectorApiNotice() {
    }

    /** Prints {@link #MESSAGE} on {@code err} the first time it is called with {@code present} false. */
    static void warnIfMissing(boolean present, PrintStream err) {
        if (!present && SAID.compareAndSet(false, true)) {
            err.println(MESSAGE);
            err.flush();
        }
    }
}
