package dev.fovea.backend.cuda;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A handle on one entry point of Fovea's PTX kernels, declared as a constant where it is launched:
 * its module ({@code cuda-kernels/src/<module>.cu}) and its {@code extern "C"} name. The parameter
 * list is not restated here: it is read from the committed PTX ({@link PtxEntries}) the first time
 * the module is used, and every launch is checked against it.
 */
record KernelRef(String module, String entry) {

    static KernelRef of(String module, String entry) {
        return new KernelRef(module, entry);
    }

    /** The classpath resource of this kernel's PTX module. */
    String resource() {
        return "/dev/fovea/cuda/ptx/" + module + ".ptx";
    }

    /** The entry's parameters as the PTX declares them; a clear error when it declares no such entry. */
    List<PtxParam> signature() {
        List<PtxParam> params = PtxEntries.of(resource()).get(entry);
        if (params == null) {
            throw new IllegalStateException(entry + " is not an entry point of " + resource()
                    + ": fix the handle's names, or regenerate the PTX with cuda-kernels/scripts/build-ptx.sh");
        }
        return params;
    }

    /**
     * Checks launch arguments against the PTX signature and returns it: a pointer parameter takes a
     * JCuda pointer or null (address 0, for the documented nullable ones), an int an Integer, a
     * float a Float.
     */
    List<PtxParam> checkArguments(Object... args) {
        List<PtxParam> params = signature();
        if (args.length != params.size()) {
            throw new IllegalArgumentException(entry + ": expects " + params.size() + " arguments ("
                    + letters(params) + "), got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            PtxParam kind = params.get(i);
            if (!kind.accepts(args[i])) {
                throw new IllegalArgumentException(entry + ": argument " + i + " must be " + kind.description()
                        + ", got " + (args[i] == null ? "null" : args[i].getClass().getSimpleName()));
            }
        }
        return params;
    }

    private static String letters(List<PtxParam> params) {
        return params.stream().map(p -> String.valueOf(p.letter())).collect(Collectors.joining());
    }

    @Override
    public String toString() {
        return entry;
    }
}
