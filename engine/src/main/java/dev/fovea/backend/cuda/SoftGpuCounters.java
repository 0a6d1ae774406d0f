package dev.fovea.backend.cuda;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The activity counters of the software GPU (cuda-kernels/softgpu), which its driver keeps in a
 * memfd named {@code fovea-softgpu-counters}: kernel launches, library calls, host-device copies and
 * bytes, synchronisations, allocations and live objects. They measure how a workload uses a GPU (a
 * training step that allocates or synchronises is slow on any GPU) even where no GPU exists. On a
 * real driver there is no such file and {@link #attach()} is empty.
 */
public final class SoftGpuCounters {
    /** The counters in the driver's order (softgpu/driver/counters.h); append only. */
    public enum Counter {
        MAGIC, VERSION, LAUNCHES, CUBLAS_CALLS, CUDNN_CALLS, HTOD_COPIES, HTOD_BYTES, DTOH_COPIES, DTOH_BYTES,
        DTOD_COPIES, DTOD_BYTES, MEMSETS, SYNCHRONIZATIONS, DEVICE_ALLOCATIONS, DEVICE_FREES, HOST_ALLOCATIONS,
        HOST_FREES, LIVE_DEVICE_ALLOCATIONS, LIVE_DEVICE_BYTES, LIVE_HOST_ALLOCATIONS, LIVE_STREAMS, LIVE_EVENTS,
        LIVE_MODULES, LIVE_CONTEXTS, LIVE_CUBLAS_HANDLES, LIVE_CUDNN_HANDLES, LIVE_CUDNN_DESCRIPTORS, FAULTS, LEAKED
    }

    static final long MAGIC = 0x465645415347500AL;
    static final String MEMFD = "/memfd:fovea-softgpu-counters";

    private final LongBuffer values;

    private SoftGpuCounters(LongBuffer values) {
        this.values = values;
    }

    /**
     * The counters of the software GPU loaded in this process, or empty when the driver is another
     * one (or CUDA has not been initialised yet: the probe does that).
     */
    public static Optional<SoftGpuCounters> attach() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return Optional.empty();
        }
        try (Stream<Path> list = Files.list(fds)) {
            for (Path fd : list.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue; // closed meanwhile, or not a link
                }
                if (target.startsWith(MEMFD)) {
                    return map(fd);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<SoftGpuCounters> map(Path fd) throws IOException {
        int bytes = Counter.values().length * Long.BYTES;
        try (FileChannel ch = FileChannel.open(fd, StandardOpenOption.READ)) {
            if (ch.size() < bytes) {
                return Optional.empty();
            }
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes);
            LongBuffer values = b.order(ByteOrder.nativeOrder()).asLongBuffer();
            if (values.get(Counter.MAGIC.ordinal()) != MAGIC || values.get(Counter.VERSION.ordinal()) < 1) {
                return Optional.empty();
            }
            return Optional.of(new SoftGpuCounters(values));
        }
    }

    public long get(Counter c) {
        return values.get(c.ordinal());
    }

    /** Every counter now. */
    public Snapshot snapshot() {
        Map<Counter, Long> m = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) {
            m.put(c, get(c));
        }
        return new Snapshot(m);
    }

    /** Counter values at one moment; {@link #since} gives the activity between two. */
    public record Snapshot(Map<Counter, Long> values) {
        public long get(Counter c) {
            return values.get(c);
        }

        /** This snapshot minus an earlier one. */
        public Snapshot since(Snapshot earlier) {
            Map<Counter, Long> m = new EnumMap<>(Counter.class);
            values.forEach((c, v) -> m.put(c, v - earlier.get(c)));
            return new Snapshot(m);
        }
    }
}
