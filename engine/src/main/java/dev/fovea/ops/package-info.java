/**
 * The op registry: every op Fovea knows, declared once with PyTorch's functional names.
 *
 * <p>An {@link dev.fovea.ops.OpDef} gives an op's input names (required, optional, and
 * those with gradients), its outputs, its attributes ({@link dev.fovea.ops.Attribute}: kind,
 * default or required, file range, doc) and its output shape rule, which graph building asks
 * instead of running anything. {@link dev.fovea.ops.OpDef#bind} checks attributes, given as a
 * JSON-like map, against the declaration and parses them into the op's parameter record
 * (Conv2dParams, Pool2dParams, ...) once, and returns an {@link dev.fovea.ops.Op} whose forward and
 * backward map onto the {@link dev.fovea.backend.Backend} SPI. A graph node holds such an Op;
 * the conformance runner binds one per case. Unknown ops, attributes and inputs are errors that name
 * the offending name, suggest a near miss and list the valid ones.
 *
 * <p>Forward returns the public outputs ("output"; batch norm in training also the updated
 * "running_mean" and "running_var") plus the state its backward needs ("indices" for max/min
 * pooling, "saved_mean"/"saved_invstd" for batch norm, "mask" for dropout); backward takes that
 * map back with the gradient of "output" and returns gradients keyed by input name.
 */
package dev.fovea.ops;
