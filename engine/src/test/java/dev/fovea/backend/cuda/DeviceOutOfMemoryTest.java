package dev.fovea.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * GPU out-of-memory through the allocator, with allocation failures injected into the raw device
 * memory: the error names the op and shapes, the requested, held and free bytes, and what to change;
 * the allocator retries once after releasing its cache and stays usable after a failure.
 */
class DeviceOutOfMemoryTest {

    /** Device memory whose next {@code failures} cudaMalloc calls report out-of-memory. */
    static final class FailingDevice implements RawMemory<Object> {
        int failures;
        final List<Long> calls = new ArrayList<>();
        int releases;

        @Override
        public Object allocate(long bytes) {
            calls.add(bytes);
            if (failures > 0) {
                failures--;
                return null;
            }
            return new Object();
        }

        @Override
        public void release(Object pointer) {
            releases++;
        }

        @Override
        public long freeBytes() {
            return 3L << 20;
        }
    }

    @Test
    void anInjectedFailureIsRetriedOnceAfterTheCacheIsReleased() {
        FailingDevice dev = new FailingDevice();
        DeviceAllocator<Object> a = new DeviceAllocator<>(dev);
        a.free(a.allocate(4096, "warm-up"));
        dev.failures = 1;
        assertNotNull(a.allocate(1 << 20, "conv2d forward"));
        assertEquals(List.of(4096L, 1L << 20, 1L << 20), dev.calls, "the first try fails, the retry succeeds");
        assertEquals(1, dev.releases, "the cached block went back to the device before the retry");
    }

    @Test
    void aPersistentFailureNamesTheOpShapesBytesAndRemedies() {
        FailingDevice dev = new FailingDevice();
        DeviceAllocator<Object> a = new DeviceAllocator<>(dev);
        a.allocate(10 << 20, "weights");
        dev.failures = 2;
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> a.allocate(300L << 20, "batch_norm forward input [512, 64, 56, 56]"));
        assertEquals("batch_norm forward input [512, 64, 56, 56]: out of GPU memory allocating 320 MiB (335544320 bytes);"
                + " Fovea holds 10 MiB in live tensors, the device reports 3 MiB free after releasing its cache. Use a"
                + " smaller --batch-size, a lower --cudnn-workspace-mb, or a GPU with more memory", e.getMessage());
        assertEquals(335544320L, e.requestedBytes());
        assertNotNull(a.allocate(300L << 20, "the same op once memory is back"), "a failure leaves the allocator usable");
        assertEquals((10L << 20) + (320L << 20), a.currentBytes());
    }
}
