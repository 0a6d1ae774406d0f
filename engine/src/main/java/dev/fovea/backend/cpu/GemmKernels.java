package dev.fovea.backend.cpu;

/**
 * Chooses the GEMM micro-kernel once per process: the Vector API kernel when the
 * {@code jdk.incubator.vector} module was added to the JVM ({@code --add-modules jdk.incubator.vector}),
 * else the plain-Java one. {@code -Dfovea.gemm=java} forces the plain kernel (for comparison).
 */
final class GemmKernels {
    static final String PROPERTY = "fovea.gemm";

    private static final GemmKernel BEST = choose();

    private GemmKernels() {
    }

    static GemmKernel best() {
        return BEST;
    }

    static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static GemmKernel choose() {
        String forced = System.getProperty(PROPERTY, "auto").trim();
        switch (forced) {
            case "java":
                return new PlainGemmKernel();
            case "vector":
                if (!vectorApiPresent()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=vector needs the JVM flag "
                            + "--add-modules jdk.incubator.vector");
                }
                return new VectorGemmKernel();
            case "auto":
                // The class names the incubator module, so it is only touched when the module is there.
                return vectorApiPresent() ? new VectorGemmKernel() : new PlainGemmKernel();
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + forced + ": expected auto, vector or java");
        }
    }
}
