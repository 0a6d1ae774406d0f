package dev.fovea.backend.cpu;

/**
 * The innermost step of {@link Sgemm}: multiplies an MR-row panel of packed A by an NR-column panel of
 * packed B over {@code kc} steps and adds the product into C. Each element is summed from zero in
 * increasing k before it is added to C, wherever its tile sits, which keeps results independent of
 * how the work was split between threads.
 */
interface GemmKernel {

    /** Rows of a packed A panel. */
    int mr();

    /** Columns of a packed B panel. */
    int nr();

    /**
     * C[co + i*ldc + j] += sum over p < kc of a[ao + p*mr + i] * b[bo + p*nr + j], for i < rows <= mr
     * and j < cols <= nr. Panels are zero-padded to full size.
     */
    void tile(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, int rows, int cols);

    /** Short name for benchmark reports and {@code fovea devices}. */
    String name();
}
