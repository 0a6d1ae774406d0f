package dev.fovea.graph;

import dev.fovea.tensor.Shape;

/**
 * A tensor flowing through a graph: the graph input, a node's output, or a parameter. Shapes are
 * inferred for a batch of one; every activation's first dimension is the batch.
 */
public record Value(String name, Shape shape) {
}
