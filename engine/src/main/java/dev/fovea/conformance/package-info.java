/**
 * Conformance: checking every op on every backend against exact worked examples, against the
 * reference backend ("cpu-ref"), and against case files.
 *
 * <p>A case file ({@code fovea conformance --cases FILE}) is JSON:
 * <pre>
 * {"format": "fovea-cases/1",
 *  "cases": [{"name": "...", "op": "conv2d",
 *             "attrs": {"stride": [1,1], "padding": 1, "mode": "cross_correlation"},
 *             "inputs":  {"input": T, "weight": T, "bias": T},
 *             "outputs": {"output": T},
 *             "grad_outputs": {"output": T},
 *             "grad_inputs":  {"input": T, "weight": T, "bias": T},
 *             "tolerance": {"abs": 1e-4, "rel": 1e-4}}]}
 * T = {"shape": [..], "data": [.. row-major float32 values ..]}
 * </pre>
 * Op, input and attribute names are those of the {@linkplain dev.fovea.ops op registry}.
 * {@code attrs}, {@code tolerance} (default 1e-4 / 1e-4) and the gradient pair are optional; an
 * element passes when |actual - expected| &lt;= abs + rel * |expected|. {@link
 * dev.fovea.conformance.CaseFileReader} checks a whole file before anything runs and reports a
 * problem as one line naming the file, the case and the field.
 *
 * <p>The built-in suite is {@link dev.fovea.conformance.WorkedExamples} (the course's exact values)
 * plus {@link dev.fovea.conformance.GeneratedCases} (seeded random inputs over many attribute
 * combinations, expected values from the reference backend).
 */
package dev.fovea.conformance;
