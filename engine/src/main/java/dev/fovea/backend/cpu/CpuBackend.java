package dev.fovea.backend.cpu;

/**
 * The CPU backend used for training ("cpu"): the reference kernels, with faster implementations
 * substituted where they exist. Every override is tested against {@link ReferenceBackend}.
 */
public class CpuBackend extends ReferenceBackend {

    @Override
    public String name() {
        return "cpu";
    }
}
