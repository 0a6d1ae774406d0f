package dev.fovea.backend.cpu;

import dev.fovea.primitives.ShapeRules;
import dev.fovea.tensor.Shape;

/**
 * Reference concatenation along one dimension and its inverse, split (concat's backward). A tensor
 * is viewed as [outer, size along dim, inner]; each part contributes a contiguous block per outer
 * index.
 */
final class RefConcat {
    private RefConcat() {
    }

    static float[] concat(float[][] data, Shape[] shapes, Shape out, int dim) {
        int d = ShapeRules.axis("concat", out, dim);
        int outer = out.product(0, d);
        int inner = out.product(d + 1, out.rank());
        int outRow = out.dim(d) * inner;
        float[] y = new float[out.size()];
        int offset = 0;
        for (int i = 0; i < data.length; i++) {
            int block = shapes[i].dim(d) * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(data[i], o * block, y, o * outRow + offset, block);
            }
            offset += block;
        }
        return y;
    }

    static float[][] split(float[] x, Shape s, int dim, Shape[] shapes) {
        int d = ShapeRules.axis("split", s, dim);
        int outer = s.product(0, d);
        int inner = s.product(d + 1, s.rank());
        int row = s.dim(d) * inner;
        float[][] parts = new float[shapes.length][];
        int offset = 0;
        for (int i = 0; i < shapes.length; i++) {
            int block = shapes[i].dim(d) * inner;
            parts[i] = new float[shapes[i].size()];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x, o * row + offset, parts[i], o * block, block);
            }
            offset += block;
        }
        return parts;
    }
}
