package dev.fovea.bench;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cuda.CudaBackend;

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

    /** CUDA events for the GPU backend (synchronised before the first event), the host clock otherwise. */
    static Clock of(Backend backend) {
        if (backend instanceof CudaBackend cuda) {
            return body -> {
                cuda.synchronize();
                return cuda.timeMs(body);
            };
        }
        return host();
    }
}
