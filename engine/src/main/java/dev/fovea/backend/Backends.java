package dev.fovea.backend;

import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.backend.cpu.ReferenceBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Finds backends by name. The CPU backends are always present; CUDA only when its probe succeeds. */
public final class Backends {
    private Backends() {
    }

    /** The backends that can run on this machine, fastest CPU first; "cpu-ref" (the oracle) last. */
    public static List<Backend> available() {
        List<Backend> list = new ArrayList<>();
        list.add(new CpuBackend());
        list.add(new ReferenceBackend());
        return list;
    }

    /** The reference every backend is compared with. */
    public static Backend reference() {
        return new ReferenceBackend();
    }

    /** Opens the backend called {@code name} ("cpu", "cpu-ref"). */
    public static Backend open(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "cpu" -> new CpuBackend();
            case "cpu-ref" -> new ReferenceBackend();
            default -> throw new IllegalArgumentException("backend '" + name + "': expected one of cpu, cpu-ref, cuda");
        };
    }
}
