package dev.fovea.backend.cuda;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Host-device copies through pinned memory. An upload does not wait for the GPU: the data goes into
 * one of a few pinned staging slots and the copy is queued; a slot is refilled only once the copy
 * that last read it has run (its event), so a training step's batch upload never stalls the host,
 * and a host array is free for reuse as soon as upload returns. A download waits for the stream,
 * since its caller reads the data. Buffers above {@link #KEEP_BYTES} are released after their
 * transfer, so one large copy does not pin that much host memory for the life of the backend.
 */
final class Transfers implements AutoCloseable {
    static final int UPLOAD_SLOTS = 4;
    static final long KEEP_BYTES = 64L << 20;

    private final CUstream stream;
    private final Runnable enter;
    private final Slot[] uploads = new Slot[UPLOAD_SLOTS];
    private final Slot download = new Slot();
    private int next;

    /** A pinned buffer and the event marking the end of the last copy that used it. */
    private static final class Slot {
        Pointer host;
        long bytes;
        CUevent done;
        boolean pending;
    }

    Transfers(CUstream stream, Runnable enter) {
        this.stream = stream;
        this.enter = enter;
        for (int i = 0; i < uploads.length; i++) {
            uploads[i] = new Slot();
        }
    }

    /** Queues the copy of {@code data} to {@code dst}; returns without waiting for it. */
    synchronized void upload(float[] data, CUdeviceptr dst, String context) {
        long bytes = (long) data.length * Sizeof.FLOAT;
        if (bytes == 0) {
            return;
        }
        enter.run();
        Slot s = uploads[next];
        next = (next + 1) % uploads.length;
        waitFor(s, context);
        buffer(s, bytes, context).asFloatBuffer().put(data);
        Check.driver(JCudaDriver.cuMemcpyHtoDAsync(dst, s.host, bytes, stream),
                "cuMemcpyHtoDAsync(" + bytes + " bytes)", context);
        record(s, context);
        if (bytes > KEEP_BYTES) {
            // Too large to keep pinned: wait for this one copy, then give the memory back.
            waitFor(s, context);
            release(s);
        }
    }

    synchronized float[] downloadFloats(CUdeviceptr src, int n, String context) {
        float[] out = new float[n];
        if (n > 0) {
            ByteBuffer b = copyOut(src, (long) n * Sizeof.FLOAT, context);
            b.asFloatBuffer().get(out);
            shrinkDownload();
        }
        return out;
    }

    /**
     * The values of several buffers, {@code counts[i]} floats from {@code sources.get(i)}: every copy
     * is queued into one staging buffer and the host waits once.
     */
    synchronized List<float[]> downloadFloats(List<CUdeviceptr> sources, int[] counts, String context) {
        long total = 0;
        for (int n : counts) {
            total += (long) n * Sizeof.FLOAT;
        }
        List<float[]> out = new ArrayList<>(counts.length);
        if (total == 0) {
            for (int n : counts) {
                out.add(new float[n]);
            }
            return out;
        }
        enter.run();
        ByteBuffer b = buffer(download, total, context);
        long at = 0;
        for (int i = 0; i < counts.length; i++) {
            long bytes = (long) counts[i] * Sizeof.FLOAT;
            if (bytes > 0) {
                Check.driver(JCudaDriver.cuMemcpyDtoHAsync(download.host.withByteOffset(at), sources.get(i), bytes, stream),
                        "cuMemcpyDtoHAsync(" + bytes + " bytes)", context);
            }
            at += bytes;
        }
        Check.driver(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize", context);
        FloatBuffer floats = b.asFloatBuffer();
        for (int n : counts) {
            float[] v = new float[n];
            floats.get(v);
            out.add(v);
        }
        shrinkDownload();
        return out;
    }

    synchronized int[] downloadInts(CUdeviceptr src, int n, String context) {
        int[] out = new int[n];
        if (n > 0) {
            ByteBuffer b = copyOut(src, (long) n * Sizeof.INT, context);
            b.asIntBuffer().get(out);
            shrinkDownload();
        }
        return out;
    }

    private ByteBuffer copyOut(CUdeviceptr src, long bytes, String context) {
        enter.run();
        ByteBuffer b = buffer(download, bytes, context);
        Check.driver(JCudaDriver.cuMemcpyDtoHAsync(download.host, src, bytes, stream),
                "cuMemcpyDtoHAsync(" + bytes + " bytes)", context);
        Check.driver(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize", context);
        return b;
    }

    private void shrinkDownload() {
        if (download.bytes > KEEP_BYTES) {
            release(download);
        }
    }

    /** The slot's pinned buffer, grown to at least {@code bytes}, as a native-order view of its first bytes. */
    private static ByteBuffer buffer(Slot s, long bytes, String context) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(context + ": a transfer of " + bytes + " bytes exceeds 2 GiB; split the"
                    + " tensor");
        }
        if (s.host == null || s.bytes < bytes) {
            release(s);
            Pointer p = new Pointer();
            Check.driver(JCudaDriver.cuMemAllocHost(p, bytes), "cuMemAllocHost(" + bytes + ")", context
                    + " (pinned staging buffer)");
            s.host = p;
            s.bytes = bytes;
        }
        return s.host.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    }

    private void record(Slot s, String context) {
        if (s.done == null) {
            s.done = new CUevent();
            Check.driver(JCudaDriver.cuEventCreate(s.done, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate",
                    context);
        }
        Check.driver(JCudaDriver.cuEventRecord(s.done, stream), "cuEventRecord", context);
        s.pending = true;
    }

    /** Waits until the copy that last read the slot has run (usually long done: no wait at all). */
    private static void waitFor(Slot s, String context) {
        if (!s.pending) {
            return;
        }
        if (JCudaDriver.cuEventQuery(s.done) != CUresult.CUDA_SUCCESS) {
            Check.driver(JCudaDriver.cuEventSynchronize(s.done), "cuEventSynchronize", context);
        }
        s.pending = false;
    }

    private static void release(Slot s) {
        if (s.host != null) {
            JCudaDriver.cuMemFreeHost(s.host);
            s.host = null;
            s.bytes = 0;
        }
    }

    /** Frees every buffer and event; the stream has been synchronised by the caller. */
    @Override
    public synchronized void close() {
        enter.run();
        for (Slot s : uploads) {
            release(s);
            if (s.done != null) {
                JCudaDriver.cuEventDestroy(s.done);
                s.done = null;
            }
        }
        release(download);
    }
}
