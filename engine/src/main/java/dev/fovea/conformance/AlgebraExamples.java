package dev.fovea.conformance;

import dev.fovea.tensor.Shape;

import java.util.List;

/**
 * Hand-computed examples of the tensor-algebra ops, small enough to check on paper: a
 * squeeze-excitation scale {@code [1,2,2,2] * [1,2,1,1]} whose scale gradient sums each plane,
 * broadcasting both ways in sub, a scalar-like divisor, a mean and a sum with their backward, and a
 * transpose. Every value is a small integer or a short binary fraction, exact in float32 in any
 * summation order, so they are compared exactly.
 */
public final class AlgebraExamples {
    private AlgebraExamples() {
    }

    public static List<ConformanceCase> all() {
        return List.of(
                // y = x * s per channel; ds[c] = sum over the plane of x * dy (dy = 1), dx = s.
                ConformanceCase.builder("alg_mul_squeeze_excitation", "mul")
                        .input("input", t(Shape.of(1, 2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8))
                        .input("other", t(Shape.of(1, 2, 1, 1), 2, -1))
                        .output("output", t(Shape.of(1, 2, 2, 2), 2, 4, 6, 8, -5, -6, -7, -8))
                        .gradOutput("output", t(Shape.of(1, 2, 2, 2), 1, 1, 1, 1, 1, 1, 1, 1))
                        .gradInput("input", t(Shape.of(1, 2, 2, 2), 2, 2, 2, 2, -1, -1, -1, -1))
                        .gradInput("other", t(Shape.of(1, 2, 1, 1), 10, 26))
                        .tolerance(Tolerance.EXACT).build(),
                // [2,1] - [1,3] -> [2,3]; dx sums dy's rows, d(other) is minus the sum of its columns.
                ConformanceCase.builder("alg_sub_broadcast_both_ways", "sub")
                        .input("input", t(Shape.of(2, 1), 1, 2))
                        .input("other", t(Shape.of(1, 3), 10, 20, 30))
                        .output("output", t(Shape.of(2, 3), -9, -19, -29, -8, -18, -28))
                        .gradOutput("output", t(Shape.of(2, 3), 1, 2, 3, 4, 5, 6))
                        .gradInput("input", t(Shape.of(2, 1), 6, 15))
                        .gradInput("other", t(Shape.of(1, 3), -5, -7, -9))
                        .tolerance(Tolerance.EXACT).build(),
                // [1, 6] / [2]: dx = dy / 2; d(other) = -sum(dy * x / 4) = -(1 + 6) / 4.
                ConformanceCase.builder("alg_div_scalar_like", "div")
                        .input("input", t(Shape.of(2), 1, 6))
                        .input("other", t(Shape.of(1), 2))
                        .output("output", t(Shape.of(2), 0.5f, 3))
                        .gradOutput("output", t(Shape.of(2), 1, 1))
                        .gradInput("input", t(Shape.of(2), 0.5f, 0.5f))
                        .gradInput("other", t(Shape.of(1), -1.75f))
                        .tolerance(Tolerance.EXACT).build(),
                // Column means of [[1,2,3],[4,5,6]]; each input gets dy / 2 of its column.
                ConformanceCase.builder("alg_mean_dim0_keepdim", "mean").attr("dim", 0).attr("keepdim", true)
                        .input("input", t(Shape.of(2, 3), 1, 2, 3, 4, 5, 6))
                        .output("output", t(Shape.of(1, 3), 2.5f, 3.5f, 4.5f))
                        .gradOutput("output", t(Shape.of(1, 3), 1, 2, 3))
                        .gradInput("input", t(Shape.of(2, 3), 0.5f, 1, 1.5f, 0.5f, 1, 1.5f))
                        .tolerance(Tolerance.EXACT).build(),
                // Sum over every dim: a scalar; every input gets the scalar's gradient.
                ConformanceCase.builder("alg_sum_all", "sum")
                        .input("input", t(Shape.of(2, 2), 1, 2, 3, 4))
                        .output("output", TensorData.scalar(10))
                        .gradOutput("output", TensorData.scalar(2))
                        .gradInput("input", t(Shape.of(2, 2), 2, 2, 2, 2))
                        .tolerance(Tolerance.EXACT).build(),
                // Row sums of [2,2,2] over the last dim (dim -1), without keepdim.
                ConformanceCase.builder("alg_sum_last_dim", "sum").attr("dim", -1)
                        .input("input", t(Shape.of(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8))
                        .output("output", t(Shape.of(2, 2), 3, 7, 11, 15))
                        .gradOutput("output", t(Shape.of(2, 2), 1, 2, 3, 4))
                        .gradInput("input", t(Shape.of(2, 2, 2), 1, 1, 2, 2, 3, 3, 4, 4))
                        .tolerance(Tolerance.EXACT).build(),
                // The transpose of [[1,2,3],[4,5,6]]; its gradient is dy transposed back.
                ConformanceCase.builder("alg_transpose_2x3", "transpose").attr("dim0", 0).attr("dim1", 1)
                        .input("input", t(Shape.of(2, 3), 1, 2, 3, 4, 5, 6))
                        .output("output", t(Shape.of(3, 2), 1, 4, 2, 5, 3, 6))
                        .gradOutput("output", t(Shape.of(3, 2), 1, 2, 3, 4, 5, 6))
                        .gradInput("input", t(Shape.of(2, 3), 1, 3, 5, 2, 4, 6))
                        .tolerance(Tolerance.EXACT).build(),
                // [1,2,2,2] NCHW to NHWC: channel values interleave.
                ConformanceCase.builder("alg_permute_nchw_to_nhwc", "permute").attr("dims", List.of(0, 2, 3, 1))
                        .input("input", t(Shape.of(1, 2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8))
                        .output("output", t(Shape.of(1, 2, 2, 2), 1, 5, 2, 6, 3, 7, 4, 8))
                        .tolerance(Tolerance.EXACT).build(),
                ConformanceCase.builder("alg_reshape_inferred", "reshape").attr("shape", List.of(-1, 2))
                        .input("input", t(Shape.of(2, 3), 1, 2, 3, 4, 5, 6))
                        .output("output", t(Shape.of(3, 2), 1, 2, 3, 4, 5, 6))
                        .gradOutput("output", t(Shape.of(3, 2), 6, 5, 4, 3, 2, 1))
                        .gradInput("input", t(Shape.of(2, 3), 6, 5, 4, 3, 2, 1))
                        .tolerance(Tolerance.EXACT).build());
    }

    private static TensorData t(Shape shape, float... data) {
        return TensorData.of(shape, data);
    }
}
