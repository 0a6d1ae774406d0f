package dev.fovea.train;

/**
 * How far a checkpoint is into the epoch after its last complete one: batches done and the running
 * loss so far. A checkpoint written at an epoch boundary is at {@link #START}; one written on an
 * interrupt (Ctrl-C) records the batch, so that --resume continues with the very next batch and
 * the epoch's reported train loss is the one the uninterrupted run would have reported.
 *
 * @param batch   batches of the epoch already trained (their updates are in the weights)
 * @param lossSum sum over those batches of loss times batch size (finite losses only)
 * @param counted images whose loss is in {@code lossSum}
 * @param skipped batches of the epoch skipped for a non-finite loss or gradient
 */
public record EpochPosition(int batch, double lossSum, long counted, int skipped) {
    public static final EpochPosition START = new EpochPosition(0, 0, 0, 0);

    public EpochPosition {
        if (batch < 0 || counted < 0 || skipped < 0) {
            throw new IllegalArgumentException("epoch position: negative count in " + batch + "/" + counted + "/" + skipped);
        }
    }

    public boolean atStart() {
        return batch == 0;
    }
}
