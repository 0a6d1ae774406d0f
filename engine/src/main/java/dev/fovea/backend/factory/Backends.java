package dev.fovea.backend.factory;

import dev.fovea.backend.Backend;
import dev.fovea.backend.cpu.CpuBackend;
import dev.fovea.backend.cpu.ReferenceBackend;
import dev.fovea.backend.cuda.CudaBackend;
import dev.fovea.backend.cuda.CudaOptions;
import dev.fovea.backend.cuda.CudaProbe;
import dev.fovea.backend.cuda.CudaStatus;
import dev.fovea.tensor.Device;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Finds backends by name or device. The CPU backends are always present; CUDA only when its probe
 * succeeds, and no CUDA class is constructed (no JCuda library loaded) when it does not.
 */
public final class Backends {
    private static final AtomicBoolean FALLBACK_ANNOUNCED = new AtomicBoolean();

    private Backends() {
    }

    /**
     * How the conformance suite runs CUDA: cuDNN convolutions by direct summation only, because its
     * worked examples expect exact results, which FFT and Winograd algorithms do not promise (their
     * numerics are the GPU tests' business, with tolerances for it).
     */
    public static CudaOptions conformanceCuda() {
        return CudaOptions.defaults().withDirectAlgorithms(true);
    }

    /**
     * The names of the backends that can run on this machine, for {@link #open}: "cuda" when usable,
     * then the fast "cpu", "cpu-ref" (the oracle) last. Nothing is opened: a backend holds device
     * resources until its caller closes it.
     */
    public static List<String> availableNames() {
        List<String> list = new ArrayList<>();
        if (CudaProbe.status().available()) {
            list.add("cuda");
        }
        list.add("cpu");
        list.add("cpu-ref");
        return list;
    }

    /** The reference every backend is compared with. */
    public static Backend reference() {
        return new ReferenceBackend();
    }

    /** Opens the backend called {@code name}: "cpu", "cpu-ref", "cuda" or "cuda:N". */
    public static Backend open(String name) {
        return open(name, CudaOptions.defaults());
    }

    /** As {@link #open(String)}, a CUDA backend with {@code options} (its device is the one named). */
    public static Backend open(String name, CudaOptions options) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "cpu" -> new CpuBackend();
            case "cpu-ref" -> new ReferenceBackend();
            default -> {
                if (n.equals("cuda") || n.startsWith("cuda:")) {
                    yield openCuda(parseCuda(name), options, note -> { });
                }
                throw new IllegalArgumentException("backend '" + name + "': expected one of cpu, cpu-ref, cuda, cuda:N");
            }
        };
    }

    /**
     * The backend for {@code --device}: "cpu"; "cuda" or "cuda:N", which fail with the probe's reason
     * when CUDA is unusable; or "auto", which takes CUDA when the driver and cuBLAS load and
     * otherwise says why on {@code notices} (once per process) and continues on the CPU.
     *
     * @param notices receives the fallback explanation and the CUDA backend's routing decisions
     */
    public static Backend forDevice(String device, CudaOptions options, Consumer<String> notices) {
        String d = device.trim().toLowerCase(Locale.ROOT);
        if (d.equals("auto")) {
            CudaStatus status = CudaProbe.status();
            if (status.available()) {
                return openCuda(0, options, notices);
            }
            if (FALLBACK_ANNOUNCED.compareAndSet(false, true)) {
                notices.accept(status.reason() + "; continuing on the CPU");
            }
            return new CpuBackend();
        }
        if (d.equals("cpu")) {
            return new CpuBackend();
        }
        return openCuda(parseCuda(device), options, notices);
    }

    /** {@link #forDevice(String, CudaOptions, Consumer)} with CUDA's default options. */
    public static Backend forDevice(String device, Consumer<String> notices) {
        return forDevice(device, CudaOptions.defaults(), notices);
    }

    private static int parseCuda(String text) {
        try {
            Device dev = Device.parse(text);
            if (dev.kind() == Device.Kind.CUDA) {
                return dev.index();
            }
        } catch (IllegalArgumentException e) {
            // reported below with the accepted forms
        }
        throw new IllegalArgumentException("device '" + text + "': expected auto, cpu, cuda or cuda:N");
    }

    private static Backend openCuda(int index, CudaOptions options, Consumer<String> notices) {
        CudaStatus status = CudaProbe.status();
        if (!status.available()) {
            throw new IllegalStateException("device cuda:" + index + ": " + status.reason());
        }
        return new CudaBackend(options.withDevice(index), notices);
    }
}
