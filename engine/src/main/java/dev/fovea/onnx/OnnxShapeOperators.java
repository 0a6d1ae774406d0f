package dev.fovea.onnx;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.io.Limits;
import dev.fovea.onnx.OnnxImport.Act;
import dev.fovea.onnx.OnnxImport.Const;
import dev.fovea.onnx.OnnxImport.Node;
import dev.fovea.onnx.proto.Onnx.AttributeProto;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link OnnxImport}'s elementwise and shape operators: Add/Sub/Mul/Div with broadcasting,
 * ReduceMean/ReduceSum, Transpose, Reshape, Squeeze/Unsqueeze of computed values (as reshapes
 * keeping the batch first), Pad, Resize, and the folding of the integer constants PyTorch builds
 * shapes and pads from. Each maps one node to a model-file layer, or refuses it in one line naming
 * the node, the attribute or input, and the opset.
 */
final class OnnxShapeOperators {
    private final OnnxImport imp;

    OnnxShapeOperators(OnnxImport imp) {
        this.imp = imp;
    }

    /** The axes of Squeeze/Unsqueeze: an attribute before opset 13, an optional input since; null if none. */
    long[] axes(Node node) {
        Map<String, AttributeProto> a = node.attrs(imp.opset < 13 ? new String[] {"axes"} : new String[0]);
        if (imp.opset < 13) {
            if (!a.containsKey("axes")) {
                return null;
            }
            if (a.get("axes").getType() != AttributeProto.AttributeType.INTS) {
                throw node.refuse("axes", "must be INTS, got " + a.get("axes").getType());
            }
            return a.get("axes").getIntsList().stream().mapToLong(Long::longValue).toArray();
        }
        if (!node.hasInput(1)) {
            return null;
        }
        Const ax = node.constant(1, "axes");
        if (ax.ints() == null) {
            throw node.refuse("input 1 (axes) must be integers");
        }
        return ax.ints();
    }

    /** Which of {@code rank} result axes Unsqueeze inserts; the batch (axis 0) stays where it is. */
    static boolean[] inserted(Node node, long[] axes, int rank) {
        boolean[] inserted = new boolean[rank];
        for (long ax : axes) {
            long k = ax < 0 ? ax + rank : ax;
            if (k < 0 || k >= rank || inserted[(int) k]) {
                throw node.refuse("axis " + ax + " is invalid for a result of rank " + rank);
            }
            inserted[(int) k] = true;
        }
        return inserted;
    }

    /** A value given a shape [1, ...] that keeps the batch first: a flatten when it is [1, features], else a reshape. */
    void reshapeTo(Node node, Act x, long[] dims) {
        if (dims.length < 1 || dims[0] != 1) {
            throw node.refuse("it moves the batch dimension (" + Arrays.toString(x.shape()) + " -> " + Arrays.toString(dims)
                    + "); Fovea reshapes the dimensions after the batch only");
        }
        if (dims.length > 8) {
            throw node.refuse("its result has " + dims.length + " dimensions; model files take at most 8");
        }
        if (dims.length == 2 && x.shape().length > 2) {
            imp.flattenTo(node, x);
            return;
        }
        if (Arrays.equals(dims, x.shape())) {
            imp.acts.put(node.output(), x);
            return;
        }
        ObjectNode f = OnnxImport.JSON.createObjectNode();
        ArrayNode shape = f.putArray("shape").add(-1);
        for (int d = 1; d < dims.length; d++) {
            shape.add(dims[d]);
        }
        imp.emit(node, "reshape", List.of(x), f, dims, null);
    }

    /**
     * Reshape to a constant shape (folded from Shape/Gather/Concat as PyTorch writes it): its first
     * entry is the batch (0, the symbolic batch, the model's fixed batch, or -1 with the rest
     * covering every feature); 0 copies a dimension, one -1 takes what is left.
     */
    void reshape(Node node) {
        Map<String, AttributeProto> a = node.attrs("allowzero");
        if (a.containsKey("allowzero") && node.intAttr(a.get("allowzero")) != 0) {
            throw node.refuse("allowzero", "= 1 is not supported");
        }
        Act x = node.act(0);
        long[] t = node.constant(1, "shape").ints();
        long features = 1;
        for (int d = 1; d < x.shape().length; d++) {
            features *= x.shape()[d];
        }
        if (t == null || t.length < 1 || t.length > 8) {
            throw node.refuse("input 1 (shape) " + OnnxImport.shown(t) + " must be 1 to 8 integers");
        }
        long[] dims = new long[t.length];
        dims[0] = 1;
        int infer = -1;
        long known = 1;
        for (int d = 1; d < t.length; d++) {
            dims[d] = t[d] == 0 && d < x.shape().length ? x.shape()[d] : t[d];
            if (dims[d] == -1 && infer < 0) {
                infer = d;
            } else if (dims[d] < 1) {
                throw node.refuse("input 1 (shape) " + OnnxImport.shown(t) + " has an invalid entry " + t[d]);
            } else {
                known *= dims[d];
            }
        }
        boolean batch = t[0] == OnnxImport.BATCH || t[0] == 0 || imp.staticBatch > 0 && t[0] == imp.staticBatch
                || t[0] == -1 && infer < 0 && known == features;
        if (!batch || (infer >= 0 ? features % known != 0 : known != features)) {
            throw node.refuse("input 1 (shape) " + OnnxImport.shown(t) + " does not keep the batch of " + Arrays.toString(x.shape())
                    + " first with " + features + " features after it; Fovea reshapes the dimensions after the batch");
        }
        if (infer >= 0) {
            dims[infer] = features / known;
        }
        reshapeTo(node, x, dims);
    }

    /** Squeeze of a computed value (as a reshape; without axes every size-1 dimension after the batch) or of a constant. */
    void squeeze(Node node) {
        long[] axes = axes(node);
        boolean isConst = imp.consts.containsKey(node.input(0));
        long[] in = isConst ? node.constant(0, "data").dims() : node.act(0).shape();
        boolean[] drop = new boolean[in.length];
        if (axes == null) {
            for (int d = isConst ? 0 : 1; d < in.length; d++) {
                drop[d] = in[d] == 1;
            }
        } else {
            for (long ax : axes) {
                long k = ax < 0 ? ax + in.length : ax;
                if (k < 0 || k >= in.length || in[(int) k] != 1 || (!isConst && k == 0)) {
                    throw node.refuse("axis " + ax + " of " + Arrays.toString(in) + " is not a size-1 dimension after the batch");
                }
                drop[(int) k] = true;
            }
        }
        long[] dims = java.util.stream.IntStream.range(0, in.length).filter(d -> !drop[d]).mapToLong(d -> in[d]).toArray();
        if (isConst) {
            Const c = node.constant(0, "data");
            imp.consts.put(node.output(), new Const(dims, c.floats(), c.ints()));
        } else {
            reshapeTo(node, node.act(0), dims);
        }
    }

    /** Slice of an integer constant (PyTorch slices shapes and, with step -1, the pads it builds). */
    void slice(Node node) {
        node.attrs();
        Const data = node.constant(0, "data");
        long[] starts = node.constant(1, "starts").ints();
        long[] ends = node.constant(2, "ends").ints();
        long[] axes = node.hasInput(3) ? node.constant(3, "axes").ints() : null;
        long[] steps = node.hasInput(4) ? node.constant(4, "steps").ints() : null;
        if (data.ints() == null || starts == null || ends == null || starts.length != ends.length
                || node.hasInput(3) && (axes == null || axes.length != starts.length)
                || node.hasInput(4) && (steps == null || steps.length != starts.length)) {
            throw node.refuse("only a Slice of an integer constant by integer starts, ends, axes and steps of one length is folded");
        }
        if (axes == null) {
            axes = java.util.stream.LongStream.range(0, starts.length).toArray();
        }
        if (steps == null) {
            steps = new long[starts.length];
            Arrays.fill(steps, 1);
        }
        try {
            long[][] r = OnnxConstantFolding.sliced(data.ints(), data.dims(), starts, ends, axes, steps);
            imp.consts.put(node.output(), new Const(r[0], null, r[1]));
        } catch (IllegalArgumentException e) {
            throw node.refuse(e.getMessage());
        }
    }

    /** ConstantOfShape: an integer constant (PyTorch's zero pads for N and C) of the given shape. */
    void constantOfShape(Node node) {
        Map<String, AttributeProto> a = node.attrs("value");
        long[] shape = node.constant(0, "input").ints();
        Const v = a.containsKey("value") ? imp.tensor(a.get("value").getT(), "node attribute 'value'") : null;
        if (shape == null || v == null || v.ints() == null || v.ints().length != 1) {
            throw node.refuse("only an integer ConstantOfShape (a shape or pads being built) with a one-integer value is folded");
        }
        try {
            imp.consts.put(node.output(), new Const(shape.clone(), null, OnnxConstantFolding.filled(shape, v.ints()[0])));
        } catch (IllegalArgumentException e) {
            throw node.refuse(e.getMessage());
        }
    }

    /** Reshape or Transpose of an integer constant, folded. */
    void foldShapeOp(Node node) {
        Const c = node.constant(0, "data");
        if (c.ints() == null) {
            throw node.refuse("input 0 is a float constant; Fovea folds only integer constants (shapes, pads)");
        }
        try {
            if (node.n.getOpType().equals("Reshape")) {
                node.attrs("allowzero");
                long[] t = node.constant(1, "shape").ints();
                if (t == null) {
                    throw node.refuse("input 1 (shape) must be integers");
                }
                imp.consts.put(node.output(), new Const(OnnxConstantFolding.reshaped(c.dims(), t), null, c.ints()));
            } else {
                Map<String, AttributeProto> a = node.attrs("perm");
                long[] perm = new long[c.dims().length];
                for (int i = 0; i < perm.length; i++) {
                    perm[i] = perm.length - 1 - i;
                }
                if (a.containsKey("perm")) {
                    perm = node.intsAttr(a.get("perm"), perm.length);
                }
                imp.consts.put(node.output(), new Const(OnnxConstantFolding.transposedDims(c.dims(), perm), null,
                        OnnxConstantFolding.transposed(c.ints(), c.dims(), perm)));
            }
        } catch (IllegalArgumentException e) {
            throw node.refuse(e.getMessage());
        }
    }

    /** Add, Sub, Mul and Div of two computed values, broadcasting as numpy does (Fovea's binary ops do). */
    void binary(Node node) {
        node.attrs();
        String op = node.n.getOpType().toLowerCase(Locale.ROOT);
        for (int i = 0; i < 2; i++) {
            if (imp.consts.containsKey(node.input(i))) {
                throw node.refuse("input " + i + " ('" + OnnxImport.clip(node.input(i)) + "') is a constant; Fovea imports " + op
                        + " of two computed values (a constant operand outside an activation's ONNX formula is not "
                        + "supported)");
            }
        }
        Act x = node.act(0);
        Act y = node.act(1);
        long[] a = x.shape();
        long[] b = y.shape();
        long[] out = new long[Math.max(a.length, b.length)];
        for (int i = 1; i <= out.length; i++) {
            long p = i <= a.length ? a[a.length - i] : 1;
            long q = i <= b.length ? b[b.length - i] : 1;
            if (p != q && p != 1 && q != 1) {
                throw node.refuse("its inputs' shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[out.length - i] = Math.max(p, q);
        }
        imp.emit(node, op, List.of(x, y), OnnxImport.JSON.createObjectNode(), out, null);
    }

    /** ReduceMean/ReduceSum over dimensions after the batch (ReduceSum's axes are an input since 13, ReduceMean's since 18). */
    void reduce(Node node) {
        boolean sum = node.n.getOpType().equals("ReduceSum");
        boolean axesInput = sum && imp.opset >= 13;
        Map<String, AttributeProto> a = node.attrs(axesInput ? new String[] {"keepdims", "noop_with_empty_axes"}
                : new String[] {"axes", "keepdims"});
        long[] axes;
        if (axesInput) {
            axes = node.hasInput(1) ? node.constant(1, "axes").ints() : null;
            if (node.hasInput(1) && axes == null) {
                throw node.refuse("input 1 (axes) must be integers");
            }
            if ((axes == null || axes.length == 0) && a.containsKey("noop_with_empty_axes")
                    && node.intAttr(a.get("noop_with_empty_axes")) != 0) {
                imp.alias(node);
                return;
            }
        } else {
            axes = a.containsKey("axes") ? a.get("axes").getIntsList().stream().mapToLong(Long::longValue).toArray() : null;
        }
        Act x = node.act(0);
        int rank = x.shape().length;
        if (axes == null || axes.length == 0) {
            throw node.refuse("it reduces every dimension, the batch too; Fovea reduces dimensions after the batch");
        }
        boolean keep = !a.containsKey("keepdims") || node.intAttr(a.get("keepdims")) != 0;
        boolean[] reduced = new boolean[rank];
        ObjectNode f = OnnxImport.JSON.createObjectNode();
        ArrayNode dim = f.putArray("dim");
        for (long ax : axes) {
            long k = ax < 0 ? ax + rank : ax;
            if (k < 1 || k >= rank || reduced[(int) k]) {
                throw node.refuse("axis " + ax + " of a " + rank + "-D input is the batch, out of range or repeated");
            }
            reduced[(int) k] = true;
            dim.add(k);
        }
        f.put("keepdim", keep);
        long[] out = java.util.stream.IntStream.range(0, rank).filter(d -> keep || !reduced[d])
                .mapToLong(d -> reduced[d] ? 1 : x.shape()[d]).toArray();
        imp.emit(node, sum ? "sum" : "mean", List.of(x), f, out, null);
    }

    /** Transpose keeping the batch first, as a permute. */
    void transpose(Node node) {
        Map<String, AttributeProto> a = node.attrs("perm");
        Act x = node.act(0);
        int rank = x.shape().length;
        long[] perm = new long[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = rank - 1 - i;
        }
        if (a.containsKey("perm")) {
            perm = node.intsAttr(a.get("perm"), rank);
        }
        long[] out = new long[rank];
        boolean[] seen = new boolean[rank];
        ObjectNode f = OnnxImport.JSON.createObjectNode();
        ArrayNode dims = f.putArray("dims");
        for (int i = 0; i < rank; i++) {
            long p = perm[i] < 0 ? perm[i] + rank : perm[i];
            if (p < 0 || p >= rank || seen[(int) p] || (i == 0) != (p == 0)) {
                throw node.refuse("perm", Arrays.toString(perm) + " is not a permutation keeping the batch (axis 0) first");
            }
            seen[(int) p] = true;
            out[i] = x.shape()[(int) p];
            dims.add(p);
        }
        imp.emit(node, "permute", List.of(x), f, out, null);
    }

    /**
     * Pad of H and W (constant, reflect or edge); pads and the constant value are inputs (opset 11
     * on). All-zero pads (PyTorch writes them before some pools) are dropped.
     */
    void pad(Node node) {
        Map<String, AttributeProto> a = node.attrs("mode");
        String mode = a.containsKey("mode") ? node.stringAttr(a.get("mode")) : "constant";
        long[] pads = node.constant(1, "pads").ints();
        double value = 0;
        if (node.hasInput(2)) {
            Const v = node.weights(2, "constant_value");
            if (v.size() != 1) {
                throw node.refuse("input 2 (constant_value) must be one value");
            }
            value = v.floats()[0];
        }
        if (node.hasInput(3)) {
            throw node.refuse("input 3 (axes) is not supported");
        }
        if (pads == null) {
            throw node.refuse("input 1 (pads) must be integers");
        }
        if (Arrays.stream(pads).allMatch(p -> p == 0)) {
            imp.alias(node);
            return;
        }
        Act x = node.act4(0);
        if (pads.length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0
                || Arrays.stream(pads).anyMatch(p -> p < 0 || p > Limits.MODEL_WINDOW)) {
            throw node.refuse("pads " + Arrays.toString(pads) + " must pad only H and W of [N, C, H, W], by 0.."
                    + Limits.MODEL_WINDOW + " cells");
        }
        String type = switch (mode) {
            case "constant" -> "constant";
            case "reflect" -> "reflect";
            case "edge" -> "replicate";
            default -> throw node.refuse("mode", "'" + OnnxImport.clip(mode) + "' is not supported (constant, reflect, edge)");
        };
        ObjectNode f = OnnxImport.JSON.createObjectNode();
        f.putArray("padding").add(pads[3]).add(pads[7]).add(pads[2]).add(pads[6]);
        f.put("mode", type);
        if (type.equals("constant")) {
            f.put("value", value);
        } else if (value != 0) {
            throw node.refuse("input 2 (constant_value) applies to constant mode only");
        }
        imp.emit(node, "pad", List.of(x), f, new long[] {1, x.shape()[1], x.shape()[2] + pads[2] + pads[6],
                x.shape()[3] + pads[3] + pads[7]}, null);
    }

    /**
     * Resize as PyTorch's F.interpolate computes it: nearest with asymmetric coordinates and floor,
     * or linear with half_pixel / pytorch_half_pixel (align_corners=False) or align_corners; by H and
     * W scales (N and C scale 1) or by sizes. Anything else is refused naming its attribute.
     */
    void resize(Node node) {
        Map<String, AttributeProto> a = node.attrs("mode", "coordinate_transformation_mode", "nearest_mode",
                "cubic_coeff_a", "exclude_outside", "extrapolation_value");
        Act x = node.act4(0);
        String mode = a.containsKey("mode") ? node.stringAttr(a.get("mode")) : "nearest";
        String coords = a.containsKey("coordinate_transformation_mode")
                ? node.stringAttr(a.get("coordinate_transformation_mode")) : "half_pixel";
        Const scales = node.hasInput(2) ? node.constant(2, "scales") : null;
        Const sizes = node.hasInput(3) ? node.constant(3, "sizes") : null;
        long[] out = {1, x.shape()[1], 0, 0};
        ObjectNode f = OnnxImport.JSON.createObjectNode();
        if (scales != null && scales.size() > 0) {
            float[] s = scales.floats();
            if (s == null || s.length != 4 || s[0] != 1 || s[1] != 1 || !(s[2] > 0) || !(s[3] > 0)) {
                throw node.refuse("input 2 (scales) must be [1, 1, scale_h, scale_w] with positive scales");
            }
            out[2] = (long) Math.floor(x.shape()[2] * (double) s[2]);
            out[3] = (long) Math.floor(x.shape()[3] * (double) s[3]);
            f.putArray("scale_factor").add((double) s[2]).add((double) s[3]);
        } else if (sizes != null) {
            long[] s = sizes.ints();
            if (s == null || s.length != 4 || !(s[0] == OnnxImport.BATCH || s[0] == imp.staticBatch || s[0] == 1) || s[1] != x.shape()[1]) {
                throw node.refuse("input 3 (sizes) " + OnnxImport.shown(s) + " must be [batch, " + x.shape()[1] + ", height, width]");
            }
            out[2] = s[2];
            out[3] = s[3];
            f.putArray("size").add(s[2]).add(s[3]);
        } else {
            throw node.refuse("it has neither scales nor sizes");
        }
        switch (mode) {
            case "nearest" -> {
                String rounding = a.containsKey("nearest_mode") ? node.stringAttr(a.get("nearest_mode")) : "round_prefer_floor";
                if (!coords.equals("asymmetric")) {
                    throw node.refuse("coordinate_transformation_mode", "'" + OnnxImport.clip(coords) + "' is not supported for "
                            + "nearest (only asymmetric with nearest_mode floor, PyTorch's nearest)");
                }
                if (!rounding.equals("floor")) {
                    throw node.refuse("nearest_mode", "'" + OnnxImport.clip(rounding) + "' is not supported (only floor, PyTorch's nearest)");
                }
                f.put("mode", "nearest");
            }
            case "linear" -> {
                boolean pytorchOneCell = coords.equals("pytorch_half_pixel") && (out[2] == 1 || out[3] == 1);
                if (!coords.equals("half_pixel") && !coords.equals("align_corners") && !coords.equals("pytorch_half_pixel")
                        || pytorchOneCell) {
                    throw node.refuse("coordinate_transformation_mode", "'" + OnnxImport.clip(coords) + "' is not supported for "
                            + "linear" + (pytorchOneCell ? " to a side of one cell" : "")
                            + " (half_pixel, pytorch_half_pixel or align_corners, PyTorch's bilinear)");
                }
                f.put("mode", "bilinear");
                if (coords.equals("align_corners")) {
                    f.put("align_corners", true);
                }
            }
            default -> throw node.refuse("mode", "'" + OnnxImport.clip(mode) + "' is not supported (nearest or linear)");
        }
        imp.emit(node, "upsample", List.of(x), f, out, null);
    }
}
