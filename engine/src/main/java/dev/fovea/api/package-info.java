/**
 * Fovea's public Java API: load a model ({@link dev.fovea.api.Model#load(String)}: a zoo name, a
 * model file, an ONNX file or a checkpoint), classify images with the preprocessing it was trained
 * with ({@link dev.fovea.api.Model#predict(java.nio.file.Path)}), train it
 * ({@link dev.fovea.api.Model#fit(Dataset, FitOptions)}), save it, and choose where it computes
 * ({@link dev.fovea.api.Device}).
 *
 * <p>This package is the library's stable surface; every other {@code dev.fovea} package is internal
 * and may change between releases. Its public signatures name only this package and the JDK, with
 * one deliberate exception: {@link dev.fovea.api.Model#of(dev.fovea.graph.Graph)} takes a network
 * built with {@code dev.fovea.graph.GraphBuilder}, Fovea's way of defining a new architecture in
 * code. (The engine is not a JPMS module: the command line's shaded jar and JCuda's native loading
 * live on the class path, so the rule is kept by a convention that a test enforces.)
 */
package dev.fovea.api;
