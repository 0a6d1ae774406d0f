package dev.fovea.api;

import dev.fovea.backend.Backend;
import dev.fovea.backend.factory.Backends;

import java.util.Locale;

/**
 * Where a model computes: {@code cpu}, {@code cuda} (the first GPU), {@code cuda:N}, or {@code auto}
 * (CUDA when the NVIDIA driver and cuBLAS load, otherwise the CPU). Asking for CUDA where it cannot
 * run fails, when the model first computes, with the reason (which library is missing, or that no
 * GPU is present); {@code FOVEA_DEVICE=cpu} in the environment keeps {@code auto} off CUDA.
 */
public final class Device {
    private final String name;

    private Device(String name) {
        this.name = name;
    }

    /** {@return CUDA when usable, else the CPU} */
    public static Device auto() {
        return new Device("auto");
    }

    /** {@return the multi-threaded CPU backend} */
    public static Device cpu() {
        return new Device("cpu");
    }

    /** {@return the first GPU} */
    public static Device cuda() {
        return cuda(0);
    }

    /**
     * {@return GPU number {@code index}}
     *
     * @param index 0 for the first GPU
     */
    public static Device cuda(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("cuda device index " + index + ": must be 0 or more");
        }
        return new Device("cuda:" + index);
    }

    /**
     * {@return the device {@code text} names}
     *
     * @param text {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}
     */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("auto") || t.equals("cpu")) {
            return new Device(t);
        }
        if (t.equals("cuda")) {
            return cuda();
        }
        if (t.matches("cuda:\\d{1,4}")) {
            return cuda(Integer.parseInt(t.substring(5)));
        }
        throw new IllegalArgumentException("device '" + text + "': expected auto, cpu, cuda or cuda:N");
    }

    /** Opens the backend; the caller closes it. */
    Backend open() {
        return Backends.forDevice(name, note -> { });
    }

    /** {@return the name as {@link #parse} takes it, e.g. "cuda:1"} */
    @Override
    public String toString() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }
}
