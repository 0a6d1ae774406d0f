package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.conformance.AlgebraExamples;
import dev.fovea.conformance.CaseResult;
import dev.fovea.conformance.CaseValidator;
import dev.fovea.conformance.ConformanceCase;
import dev.fovea.conformance.ConformanceRunner;
import dev.fovea.primitives.BinaryOp;
import dev.fovea.primitives.Broadcast;
import dev.fovea.primitives.StridedLayout;
import dev.fovea.ops.Ops;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tensor-algebra primitives: the hand-computed examples on both CPU backends; the fast backend
 * against the reference on broadcasts of every kind, with 1 and 3 threads, bit for bit (maps,
 * broadcasts and permutes evaluate the reference's float expression per element; sums add each
 * output's terms in double in the same ascending input order); the layout merging; and the errors for bad shapes and attributes.
 */
class AlgebraTest {
    private static final Backend REF = new ReferenceBackend();

    private static final List<Shape[]> PAIRS = List.of(
            new Shape[] {Shape.of(2, 3, 4, 5), Shape.of(2, 3, 4, 5)},
            new Shape[] {Shape.of(2, 3, 4, 5), Shape.of(2, 3, 1, 1)},
            new Shape[] {Shape.of(2, 3, 1, 1), Shape.of(2, 3, 4, 5)},
            new Shape[] {Shape.of(3, 1, 5), Shape.of(4, 1)},
            new Shape[] {Shape.of(7), Shape.of(1)},
            new Shape[] {Shape.of(1), Shape.of(5, 7)},
            new Shape[] {Shape.of(2, 1, 3, 1, 2), Shape.of(4, 1, 5, 1)},
            new Shape[] {Shape.of(130, 129), Shape.of(129)},
            new Shape[] {Shape.of(0, 3), Shape.of(3)},
            new Shape[] {Shape.scalar(), Shape.scalar()},
            new Shape[] {Shape.scalar(), Shape.of(2, 3)});

    @Test
    void handComputedExamplesPassOnBothCpuBackends() throws CaseValidator.Invalid {
        for (ConformanceCase c : AlgebraExamples.all()) {
            CaseValidator.check(c);
            for (Backend b : List.of(new ReferenceBackend(), new CpuBackend())) {
                CaseResult r = ConformanceRunner.run(c, b);
                assertTrue(r.passed(), c.name() + " on " + b.name() + ": " + r.detail());
            }
        }
    }

    @Test
    void fastBackendGivesTheReferenceBitsForAnyThreadCount() {
        for (int threads : new int[] {1, 3}) {
            try (CpuBackend fast = new CpuBackend(threads)) {
                long seed = 1;
                for (Shape[] ab : PAIRS) {
                    float[] a = Arrays2.random(ab[0].size(), seed++);
                    float[] b = Arrays2.random(ab[1].size(), seed++);
                    for (BinaryOp op : BinaryOp.values()) {
                        String what = op + " " + ab[0] + " " + ab[1] + " threads " + threads;
                        Tensor z = fast.binary(op, Tensor.of(ab[0], a), Tensor.of(ab[1], b));
                        Tensor zr = REF.binary(op, Tensor.of(ab[0], a), Tensor.of(ab[1], b));
                        assertEquals(zr.shape(), z.shape(), what);
                        assertArrayEquals(REF.download(zr), fast.download(z), what);
                        // The gradient of each operand: the output summed back to its shape.
                        for (Shape target : ab) {
                            assertArrayEquals(REF.download(REF.sumTo(zr, target, 0.5f)),
                                    fast.download(fast.sumTo(z, target, 0.5f)), what + " summed to " + target);
                            assertArrayEquals(REF.download(REF.broadcastTo(REF.sumTo(zr, target, 1f), z.shape())),
                                    fast.download(fast.broadcastTo(fast.sumTo(z, target, 1f), z.shape())),
                                    what + " broadcast back from " + target);
                        }
                    }
                }
                Shape s = Shape.of(2, 3, 4, 5);
                float[] x = Arrays2.random(s.size(), 99);
                for (int[] dims : List.of(new int[] {0, 2, 3, 1}, new int[] {3, 2, 1, 0}, new int[] {-1, 0, 1, 2},
                        new int[] {0, 1, 3, 2})) {
                    assertArrayEquals(REF.download(REF.permute(Tensor.of(s, x), dims)),
                            fast.download(fast.permute(Tensor.of(s, x), dims)), java.util.Arrays.toString(dims));
                }
            }
        }
    }

    @Test
    void referenceValuesOfASmallBroadcastAreTheDefinition() {
        // [2,1] op [3]: z[i][j] = a[i] op b[j].
        Tensor a = Tensor.of(Shape.of(2, 1), 1, 2);
        Tensor b = Tensor.of(Shape.of(3), 10, 20, 40);
        assertArrayEquals(new float[] {0.1f, 0.05f, 0.025f, 0.2f, 0.1f, 0.05f},
                REF.download(REF.binary(BinaryOp.DIV, a, b)));
        assertArrayEquals(new float[] {-9, -19, -39, -8, -18, -38}, REF.download(REF.binary(BinaryOp.SUB, a, b)));
        Tensor m = Tensor.of(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
        assertArrayEquals(new float[] {5, 7, 9}, REF.download(REF.sumTo(m, Shape.of(3), 1f)));
        assertArrayEquals(new float[] {-12, -30}, REF.download(REF.sumTo(m, Shape.of(2, 1), -2f)));
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, REF.download(REF.broadcastTo(Tensor.of(Shape.of(3), 1, 2, 3),
                Shape.of(2, 3))));
    }

    @Test
    void layoutsMergeWhatEveryOperandWalksAsOne() {
        Shape out = Shape.of(2, 3, 4, 5);
        assertEquals(new StridedLayout(new int[] {120}, new int[][] {{1}, {1}}),
                StridedLayout.of(out.toArray(), Broadcast.strides(out, out), Broadcast.strides(out, out)));
        // Squeeze-excitation: N*C rows of H*W against one value per row.
        assertEquals(new StridedLayout(new int[] {6, 20}, new int[][] {{20, 1}, {1, 0}}),
                StridedLayout.of(out.toArray(), Broadcast.strides(out, out), Broadcast.strides(Shape.of(2, 3, 1, 1), out)));
        // A bias-like [C, 1, 1] operand: [N, C, H*W] with the channel stride only.
        assertEquals(new StridedLayout(new int[] {2, 3, 20}, new int[][] {{60, 20, 1}, {0, 1, 0}}),
                StridedLayout.of(out.toArray(), Broadcast.strides(out, out), Broadcast.strides(Shape.of(3, 1, 1), out)));
        assertEquals(new StridedLayout(new int[] {1}, new int[][] {{0}, {0}}), StridedLayout.of(new int[0], new int[0],
                new int[0]));
        assertArrayEquals(new int[] {1, 1, 1, 1, 2, 3}, new StridedLayout(new int[] {2, 3}, new int[][] {{3, 1}})
                .paddedDims(6));
    }

    @Test
    void badShapesAndAttributesAreOneLineErrorsNamingWhatToFix() {
        assertEquals("mul: shapes [2, 3] and [4] do not broadcast: dim -1 has size 3 in the first and 4 in the second"
                        + " (each pair of sizes, aligned from the last dim, must be equal or contain a 1)",
                message(() -> REF.binary(BinaryOp.MUL, REF.zeros(Shape.of(2, 3)), REF.zeros(Shape.of(4)))));
        assertTrue(message(() -> REF.sumTo(REF.zeros(Shape.of(2, 3)), Shape.of(2), 1f))
                .startsWith("sum_to: cannot sum [2, 3] to [2]"));
        Map<String, Tensor> x = Map.of("input", REF.zeros(Shape.of(2, 3, 4)));
        assertEquals("sum: dim 1 appears more than once in dim [1, -2] (input [2, 3, 4])",
                message(() -> Ops.get("sum").bind(Map.of("dim", List.of(1, -2))).forward(REF, x)));
        assertEquals("mean: dim 3 is out of range for input [2, 3, 4] (valid: -3 to 2)",
                message(() -> Ops.get("mean").bind(Map.of("dim", 3)).forward(REF, x)));
        assertTrue(message(() -> Ops.get("sum").bind(Map.of("dim", List.of())).forward(REF, x))
                .startsWith("sum: dim is an empty list"));
        assertEquals("reshape: shape [-1, -1] has more than one -1; at most one size can be inferred (input [2, 3, 4])",
                message(() -> Ops.get("reshape").bind(Map.of("shape", List.of(-1, -1))).forward(REF, x)));
        assertEquals("reshape: shape [5, 5] holds 25 elements but the input [2, 3, 4] has 24",
                message(() -> Ops.get("reshape").bind(Map.of("shape", List.of(5, 5))).forward(REF, x)));
        assertEquals("permute: dims [0, 0, 1] name dim 0 twice; they must be a permutation of 0..2 (input [2, 3, 4])",
                message(() -> Ops.get("permute").bind(Map.of("dims", List.of(0, 0, 1))).forward(REF, x)));
        assertEquals("permute: dims [0, 1] name 2 dims but the input [2, 3, 4] has 3",
                message(() -> Ops.get("permute").bind(Map.of("dims", List.of(0, 1))).forward(REF, x)));
        assertEquals("transpose: dim1 5 is out of range for input [2, 3, 4]",
                message(() -> Ops.get("transpose").bind(Map.of("dim0", 0, "dim1", 5)).forward(REF, x)));
        assertEquals("reshape: attribute 'shape' must be an integer or a list of integers, got \"x\"",
                message(() -> Ops.get("reshape").bind(Map.of("shape", "x"))));
    }

    @Test
    void reshapeIsAViewAndSumWithoutKeepdimDropsTheDims() {
        Tensor t = REF.upload(Shape.of(2, 3, 4), Arrays2.random(24, 5));
        Tensor v = Ops.get("reshape").bind(Map.of("shape", List.of(4, -1))).forward(REF, Map.of("input", t)).get("output");
        assertEquals(Shape.of(4, 6), v.shape());
        assertTrue(v.storage() == t.storage(), "reshape shares the input's storage");
        Tensor s = Ops.get("sum").bind(Map.of("dim", List.of(0, -1))).forward(REF, Map.of("input", t)).get("output");
        assertEquals(Shape.of(3), s.shape());
        Tensor all = Ops.get("mean").bind(Map.of()).forward(REF, Map.of("input", t)).get("output");
        assertEquals(Shape.scalar(), all.shape());
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
