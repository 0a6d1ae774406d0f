package dev.fovea.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator and the grow-only workspace, over a fake device with a fixed capacity. */
class DeviceAllocatorTest {

    /** A device with {@code capacity} bytes; pointers are distinct objects, as JCuda's are. */
    static final class FakeDevice implements RawMemory<Object> {
        final long capacity;
        long used;
        int allocations;
        int releases;
        final Set<Object> live = new HashSet<>();
        final List<Long> sizes = new ArrayList<>();

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Object allocate(long bytes) {
            if (used + bytes > capacity) {
                return null;
            }
            used += bytes;
            allocations++;
            sizes.add(bytes);
            Object p = new long[]{bytes};
            live.add(p);
            return p;
        }

        @Override
        public void release(Object pointer) {
            assertTrue(live.remove(pointer), "released a pointer that is not live");
            used -= ((long[]) pointer)[0];
            releases++;
        }

        @Override
        public long freeBytes() {
            return capacity - used;
        }
    }

    @Test
    void sizeClassesRoundUpWithBoundedWaste() {
        assertEquals(512, DeviceAllocator.sizeClass(1));
        assertEquals(512, DeviceAllocator.sizeClass(512));
        assertEquals(1024, DeviceAllocator.sizeClass(513));
        assertEquals(1 << 20, DeviceAllocator.sizeClass(1 << 20));
        // Above 1 MiB: four classes per power of two.
        assertEquals((1 << 20) + (1 << 18), DeviceAllocator.sizeClass((1 << 20) + 1));
        assertEquals(3L << 29, DeviceAllocator.sizeClass((3L << 29) - 5));
        for (long b = 1; b < (1L << 34); b = b * 3 + 7) {
            long c = DeviceAllocator.sizeClass(b);
            assertTrue(c >= b && c <= Math.max(512, b + b / 4 + 512), b + " -> " + c);
        }
    }

    @Test
    void freedBlocksAreReusedBySizeClass() {
        FakeDevice dev = new FakeDevice(1L << 30);
        DeviceAllocator<Object> a = new DeviceAllocator<>(dev);
        DeviceAllocator.Block<Object> b1 = a.allocate(1000, "test");
        assertEquals(1024, b1.bytes());
        a.free(b1);
        assertEquals(1024, a.cachedBytes());
        DeviceAllocator.Block<Object> b2 = a.allocate(900, "test");
        assertSame(b1.pointer(), b2.pointer(), "a block of the same class comes from the cache");
        assertEquals(1, dev.allocations);
        assertEquals(1, a.deviceAllocations());
        DeviceAllocator.Block<Object> b3 = a.allocate(5000, "test");
        assertEquals(2, dev.allocations, "another size class is a cache miss");
        assertEquals(1024 + 5120, a.currentBytes());
        a.free(b2);
        a.free(b3);
        assertEquals(0, a.currentBytes());
        assertEquals(1024 + 5120, a.peakBytes());
        a.releaseCache();
        assertEquals(0, a.cachedBytes());
        assertEquals(0, dev.used);
        assertEquals(2, dev.releases);
    }

    @Test
    void outOfMemoryReleasesTheCacheAndRetriesOnce() {
        FakeDevice dev = new FakeDevice(8192);
        DeviceAllocator<Object> a = new DeviceAllocator<>(dev);
        DeviceAllocator.Block<Object> small = a.allocate(4096, "test");
        a.free(small);
        // 4096 cached + 6144 would exceed 8192: the cache goes back to the device, then it fits.
        DeviceAllocator.Block<Object> big = a.allocate(6000, "test");
        assertEquals(6144, big.bytes());
        assertEquals(1, dev.releases);
        assertEquals(0, a.cachedBytes());
        assertEquals(6144, dev.used);
    }

    @Test
    void outOfMemoryAfterTheRetryNamesTheOpAndSizes() {
        FakeDevice dev = new FakeDevice(8192);
        DeviceAllocator<Object> a = new DeviceAllocator<>(dev);
        a.allocate(6000, "keep");
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> a.allocate(4096, "conv2d forward input [64, 32, 26, 26]"));
        assertTrue(e.getMessage().startsWith("conv2d forward input [64, 32, 26, 26]: out of GPU memory allocating"),
                e.getMessage());
        assertTrue(e.getMessage().contains("allocating 4096 bytes (4096 bytes); Fovea holds 6144 bytes in live tensors,"
                + " the device reports 2048 bytes free"), e.getMessage());
        assertTrue(e.getMessage().contains("--batch-size"), e.getMessage());
        assertEquals(4096, e.requestedBytes());
        assertEquals(6144, a.currentBytes(), "a failed allocation changes no statistics");
    }

    @Test
    void workspaceOutOfMemoryNamesTheAlgorithm() {
        FakeDevice dev = new FakeDevice(64 << 10);
        DeviceAllocator<Object> a = new DeviceAllocator<>(dev);
        try (Workspace<Object> ws = new Workspace<>(a, 1 << 20)) {
            ws.acquire(16 << 10, "conv2d forward input [8, 3, 32, 32]");
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                    () -> ws.acquire(100 << 10, "conv2d forward input [8, 3, 32, 32] with cuDNN algorithm"
                            + " CUDNN_CONVOLUTION_FWD_ALGO_FFT"));
            assertTrue(e.getMessage().startsWith("conv2d forward input [8, 3, 32, 32] with cuDNN algorithm"
                    + " CUDNN_CONVOLUTION_FWD_ALGO_FFT (cuDNN workspace): out of GPU memory"), e.getMessage());
        }
    }

    @Test
    void workspaceGrowsOnlyAndStaysUnderItsCap() {
        FakeDevice dev = new FakeDevice(1L << 30);
        DeviceAllocator<Object> a = new DeviceAllocator<>(dev);
        try (Workspace<Object> ws = new Workspace<>(a, 1 << 20)) {
            assertNull(ws.acquire(0, "conv"));
            Object p1 = ws.acquire(10_000, "conv");
            assertEquals(10_240, ws.bytes());
            assertSame(p1, ws.acquire(4_000, "conv"), "a smaller request reuses the buffer");
            Object p2 = ws.acquire(200_000, "conv");
            assertEquals(200_192, ws.bytes());
            assertSame(p2, ws.acquire(10_000, "conv"), "the workspace never shrinks");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ws.acquire((1 << 20) + 1, "conv2d forward input [8, 3, 224, 224] algorithm FFT"));
            assertTrue(e.getMessage().contains("algorithm FFT") && e.getMessage().contains("--cudnn-workspace-mb"),
                    e.getMessage());
            assertEquals(200_192, ws.bytes(), "a refused request keeps the old buffer");
        }
        assertEquals(0, a.currentBytes(), "closing the workspace returns its block");
    }
}
