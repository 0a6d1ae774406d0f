package dev.fovea.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the first SIGINT (Ctrl-C) or SIGTERM into a polite stop request: the trainer finishes its
 * batch, writes a checkpoint and exits with the command that resumes. The default handlers are put
 * back at once, so a second Ctrl-C ends the process immediately (the atomic checkpoint writes keep
 * the previous checkpoint whole even then). Uses sun.misc.Signal (module jdk.unsupported), the
 * JDK's only way to handle a signal without starting the JVM's shutdown.
 */
final class StopOnSignal implements AutoCloseable {
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    /** Installs the handlers; {@code onStop} receives e.g. "interrupted (SIGINT)". */
    static StopOnSignal install(Consumer<String> onStop, PrintWriter err) {
        StopOnSignal s = new StopOnSignal();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal sig = new Signal(name);
            try {
                s.previous.add(Signal.handle(sig, caught -> {
                    s.restore();
                    err.println("fovea: SIG" + name + " received: finishing the current batch and writing a checkpoint"
                            + " (press Ctrl-C again to stop at once)");
                    err.flush();
                    onStop.accept("interrupted (SIG" + name + ")");
                }));
                s.signals.add(sig);
            } catch (IllegalArgumentException e) {
                // The JVM reserves this signal here (e.g. -Xrs): it keeps its default meaning.
            }
        }
        return s;
    }

    private synchronized void restore() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
        signals.clear();
        previous.clear();
    }

    @Override
    public void close() {
        restore();
    }
}
