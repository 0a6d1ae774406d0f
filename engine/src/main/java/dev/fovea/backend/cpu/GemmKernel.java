package dev.fovea.backend.cpu;

/**
 * The innermost step of {@link Sgemm}: multiplies MR rows of A by an NR-column panel of packed B over
 * {@code kc} steps and adds the product into C. Each element is summed from zero in
 * increasing k before it is added to C, wherever its tile sits, which keeps results independent of
 * how the work was split between threads.
 */
interface GemmKernel {

    /** Rows of A per tile. */
    int mr();

    /** Columns of a packed B panel. */
    int nr();

    /**
     * C[co + i*ldc + j] += alpha * sum over p < kc of a[ao + i*rs + p*cs] * b[bo + p*bs + j], for
     * i < rows <= mr and j < cols <= nr; with {@code add} false the result overwrites C instead (C's old
     * values, NaN included, are never read: this is how beta == 0 costs no pass over C). A is read in
     * place through its strides (rows of a row-major matrix, or columns of a transposed one); B's nr
     * columns are read at stride {@code bs}, from a packed panel (bs = nr, zero-padded past
     * {@code cols}) or in place from a row-major B. Rows of A past {@code rows} are never read.
     */
    void tile(int kc, float[] a, int ao, int rs, int cs, float[] b, int bo, int bs, float[] c, int co, int ldc,
                     int rows,
              int cols, float alpha, boolean add);

    /** Short name for benchmark reports and {@code fovea devices}. */
    String name();
}
