package dev.fovea.api;

/**
 * What one epoch of {@link Model#fit} achieved, as the progress listener and the returned history
 * report it.
 *
 * @param epoch         counting from 1
 * @param trainLoss     mean cross-entropy over the epoch's training batches
 * @param trainAccuracy fraction of training images classified correctly while training
 * @param testLoss      mean cross-entropy on the test split after the epoch
 * @param testAccuracy  fraction of the test split classified correctly after the epoch
 * @param learningRate  the rate the epoch trained at (after the schedule)
 */
public record Epoch(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                    double learningRate) {
}
