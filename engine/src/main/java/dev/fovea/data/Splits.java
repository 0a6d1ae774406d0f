package dev.fovea.data;

/** The training and the test split of one data set. */
public record Splits(Dataset train, Dataset test) {

    /**
     * Quick runs (--limit): {@code n} training images and max(n/4, classes) test images, each a
     * seeded class-balanced subset ({@link Dataset#balancedSubset}).
     */
    public Splits limit(int n, long seed) {
        return new Splits(train.balancedSubset(n, seed), test.balancedSubset(Math.max(n / 4, test.numClasses()), seed));
    }
}
