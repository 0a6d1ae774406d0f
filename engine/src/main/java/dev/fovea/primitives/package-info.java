/**
 * The vocabulary of the backend primitives, below the backends: attribute records that validate
 * themselves and hold their shape rules ({@link dev.fovea.primitives.Conv2dParams},
 * {@link dev.fovea.primitives.Pool2dParams}, ...), the enums a primitive switches on
 * ({@link dev.fovea.primitives.Activation}, {@link dev.fovea.primitives.BinaryOp}, ...) and the index
 * arithmetic every backend shares ({@link dev.fovea.primitives.Broadcast},
 * {@link dev.fovea.primitives.StridedLayout}). The op layer above the backends ({@code dev.fovea.ops})
 * parses attributes into these records; the backends take them as arguments. Depends only on
 * {@code dev.fovea.tensor}.
 */
package dev.fovea.primitives;
