package dev.fovea.data;

/** The training and the test split of one data set. */
public record Splits(Dataset train, Dataset test) {
}
