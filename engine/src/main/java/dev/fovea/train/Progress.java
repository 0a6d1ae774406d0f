package dev.fovea.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar per epoch: batches done, images/s, ETA and running loss. On a terminal it
 * redraws in place; otherwise (logs, CI) it prints a line at every tenth of the epoch.
 */
public final class Progress {
    private final PrintWriter out;
    private final boolean terminal;
    private final String label;
    private final int total;
    private final long start = System.nanoTime();
    private int lastTenth = -1;

    public Progress(PrintWriter out, boolean terminal, String label, int totalBatches) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = totalBatches;
    }

    /** Called after each batch. */
    public void update(int batchesDone, long imagesDone, double runningLoss) {
        update(batchesDone, imagesDone, runningLoss, Double.NaN);
    }

    /** Called after each batch, with the running training accuracy (NaN: not shown). */
    public void update(int batchesDone, long imagesDone, double runningLoss, double runningAccuracy) {
        int tenth = total == 0 ? 10 : batchesDone * 10 / total;
        if (!terminal && tenth == lastTenth && batchesDone != total) {
            return;
        }
        lastTenth = tenth;
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = seconds > 0 ? imagesDone / seconds : 0;
        double eta = batchesDone > 0 ? seconds * (total - batchesDone) / batchesDone : 0;
        String line = String.format(Locale.ROOT, "%s %s %d/%d  %.0f img/s  ETA %s  loss %.4f%s", label, bar(batchesDone),
                batchesDone, total, rate, time(eta), runningLoss,
                Double.isNaN(runningAccuracy) ? "" : String.format(Locale.ROOT, "  accuracy %.1f%%", runningAccuracy * 100));
        if (terminal) {
            out.print("\r" + line);
            if (batchesDone == total) {
                out.println();
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    private String bar(int done) {
        int width = 24;
        int filled = total == 0 ? width : done * width / total;
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }

    static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
