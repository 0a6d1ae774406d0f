package dev.fovea.train;

/**
 * How far a checkpoint is into the epoch after its last complete one: batches done and the running
 * loss and accuracy so far. A checkpoint written at an epoch boundary is at {@link #START}; one written on an
 * interrupt (Ctrl-C) records the batch, so that --resume continues with the very next batch and
 * the epoch's reported train loss is the one the uninterrupted run would have reported.
 *
 * @param batch   batches of the epoch already trained (their updates are in the weights)
 * @param lossSum sum over those batches of loss times batch size (finite losses only)
 * @param counted images whose loss is in {@code lossSum}
 * @param skipped batches of the epoch skipped for a non-finite loss or gradient
 * @param correct images of {@code counted} the model classified correctly as it trained (training accuracy)
 */
public record EpochPosition(int batch, double lossSum, long counted, int skipped, long correct) {
    public static final EpochPosition START = new EpochPosition(0, 0, 0, 0, 0);

    public EpochPosition {
        if (batch < 0 || counted < 0 || skipped < 0 || correct < 0 || correct > counted) {
            throw new IllegalArgumentException("epoch position: counts " + batch + "/" + counted + "/" + skipped + "/"
                    + correct + " are negative or more correct than counted");
        }
    }

    /** A position without a record of training accuracy. */
    public EpochPosition(int batch, double lossSum, long counted, int skipped) {
        this(batch, lossSum, counted, skipped, 0);
    }

    public boolean atStart() {
        return batch == 0;
    }
}
