package dev.fovea.conformance;

/**
 * The outcome of one case on one backend: the worst absolute error and the worst relative error
 * (over elements whose expected value is not zero) across all checked outputs and gradients, and
 * for a failure the first reason (the element that broke the tolerance, or the error the backend raised).
 * Both errors are NaN when the run raised an error instead of producing values.
 */
public record CaseResult(String caseName, String op, String backend, double maxAbsError, double maxRelError,
                         boolean passed, String detail) {
}
