package dev.fovea.backend.cpu;

import dev.fovea.backend.Backend;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.testing.Arrays2;
import dev.fovea.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.fovea.backend.cpu.RefAsserts.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Concatenation along any dim and split, its inverse and backward. */
class ConcatTest {
    private static final Backend BE = new ReferenceBackend();

    @Test
    void concatAlongTheChannelDimensionExactValues() {
        // a [2, 1, 2], b [2, 2, 2]: per sample, a's one row then b's two rows.
        Tensor a = BE.upload(Shape.of(2, 1, 2), new float[] {1, 2, 3, 4});
        Tensor b = BE.upload(Shape.of(2, 2, 2), new float[] {5, 6, 7, 8, 9, 10, 11, 12});
        Tensor y = BE.concat(List.of(a, b), 1);
        assertEquals(Shape.of(2, 3, 2), y.shape());
        Arrays2.assertExact("concat dim 1", new float[] {1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}, BE.download(y));
    }

    @Test
    void concatAlongTheFirstAndLastDimensions() {
        Tensor a = BE.upload(Shape.of(2, 2), new float[] {1, 2, 3, 4});
        Tensor b = BE.upload(Shape.of(2, 1), new float[] {5, 6});
        Tensor c = BE.upload(Shape.of(1, 2), new float[] {7, 8});
        Arrays2.assertExact("concat dim -1", new float[] {1, 2, 5, 3, 4, 6}, BE.download(BE.concat(List.of(a, b), -1)));
        Tensor rows = BE.concat(List.of(a, c, a), 0);
        assertEquals(Shape.of(5, 2), rows.shape());
        Arrays2.assertExact("concat dim 0", new float[] {1, 2, 3, 4, 7, 8, 1, 2, 3, 4}, BE.download(rows));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, -1})
    void splitUndoesConcat(int dim) {
        Shape base = Shape.of(2, 3, 4, 5);
        int[] sizes = {1, 0, 2};
        Tensor[] parts = new Tensor[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            Shape s = base.withDim(dim, sizes[i] + (dim == 0 ? 0 : 1));
            parts[i] = BE.upload(s, Arrays2.random(s.size(), 80 + i));
        }
        Tensor joined = BE.concat(List.of(parts), dim);
        int[] along = new int[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            along[i] = parts[i].shape().dim(dim);
        }
        List<Tensor> back = BE.split(joined, dim, along);
        for (int i = 0; i < parts.length; i++) {
            assertEquals(parts[i].shape(), back.get(i).shape(), "part " + i);
            Arrays2.assertExact("part " + i, BE.download(parts[i]), BE.download(back.get(i)));
        }
    }

    @Test
    void backwardIsSplitAndMatchesFiniteDifferences() {
        Shape as = Shape.of(2, 3, 2, 2);
        Shape bs = Shape.of(2, 1, 2, 2);
        float[] a = Arrays2.random(as.size(), 91);
        float[] b = Arrays2.random(bs.size(), 92);
        Shape ys = Shape.of(2, 4, 2, 2);
        float[] dy = Arrays2.random(ys.size(), 93);
        List<Tensor> grads = BE.split(BE.upload(ys, dy), 1, new int[] {3, 1});
        GradCheck.check("concat d first", a, av -> BE.download(BE.concat(List.of(BE.upload(as, av), BE.upload(bs, b)), 1)),
                dy, BE.download(grads.get(0)));
        GradCheck.check("concat d second", b, bv -> BE.download(BE.concat(List.of(BE.upload(as, a), BE.upload(bs, bv)), 1)),
                dy, BE.download(grads.get(1)));
    }

    @Test
    void mismatchedShapesNameTheOpTheDimAndTheShapes() {
        Tensor a = BE.upload(Shape.of(2, 3, 4), new float[24]);
        Tensor b = BE.upload(Shape.of(2, 3, 5), new float[30]);
        var e = assertThrows(IllegalArgumentException.class, () -> BE.concat(List.of(a, b), 1));
        assertMessage(e, "concat: input 1 has shape [2, 3, 5] but input 0 has [2, 3, 4]",
                "all dimensions except dim 1 must match");
        Tensor flat = BE.upload(Shape.of(24), new float[24]);
        e = assertThrows(IllegalArgumentException.class, () -> BE.concat(List.of(a, flat), 0));
        assertMessage(e, "concat: input 1 has shape [24]", "[2, 3, 4]");
        e = assertThrows(IllegalArgumentException.class, () -> BE.concat(List.of(a, a), 3));
        assertMessage(e, "concat: dim 3 is out of range for input [2, 3, 4]");
        e = assertThrows(IllegalArgumentException.class, () -> BE.concat(List.of(), 0));
        assertMessage(e, "concat: needs at least one input");
    }

    @Test
    void splitSizesMustCoverTheDimension() {
        Tensor a = BE.upload(Shape.of(2, 5), new float[10]);
        var e = assertThrows(IllegalArgumentException.class, () -> BE.split(a, 1, new int[] {2, 2}));
        assertMessage(e, "split: sizes [2, 2] add up to 4 but dim 1 of input [2, 5] has size 5");
        e = assertThrows(IllegalArgumentException.class, () -> BE.split(a, 1, new int[] {6, -1}));
        assertMessage(e, "split: sizes [6, -1] contain a negative size", "[2, 5]");
        e = assertThrows(IllegalArgumentException.class, () -> BE.split(a, -3, new int[] {2}));
        assertMessage(e, "split: dim -3 is out of range for input [2, 5]");
    }
}
