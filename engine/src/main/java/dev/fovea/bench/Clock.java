package dev.fovea.bench;

import dev.fovea.backend.Backend;

/**
 * How long one run of a body takes on a backend. The host clock is right for the CPU backends, whose
 * ops return when their work is done; a GPU op only queues work, so on CUDA the time is taken with
 * CUDA events on the backend's stream, which waits for the queued work to finish.
 */
@FunctionalInterface
public interface Clock {

    /** Runs {@code body} once and returns the milliseconds it took. */
    double elapsedMs(Runnable body);

    /** Wall-clock time on the host. */
    static Clock host() {
        return body -> {
            long t0 = System.nanoTime();
            body.run();
            return (System.nanoTime() - t0) / 1e6;
        };
    }

    /**
     * The backend's own clock ({@link Backend#timeMs}: CUDA events on the GPU, the host clock on the
     * CPU), after waiting for work queued before the body so that it is not counted.
     */
    static Clock of(Backend backend) {
        return body -> {
            backend.synchronize();
            return backend.timeMs(body);
        };
    }
}
