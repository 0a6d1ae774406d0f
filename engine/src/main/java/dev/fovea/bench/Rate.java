package dev.fovea.bench;

/** The throughput unit a measurement is reported in, with its JSON/CSV field name. */
public enum Rate {
    /** 2 x multiply-adds per second, for convolutions and GEMMs. */
    GFLOPS("GFLOP/s", "gflops"),
    /** Bytes each tensor needs to be read or written once, per second, for memory-bound ops. */
    GB_PER_S("GB/s", "gb_per_s"),
    /** Images per second, for whole models. */
    IMAGES_PER_S("images/s", "images_per_s");

    private final String label;
    private final String field;

    Rate(String label, String field) {
        this.label = label;
        this.field = field;
    }

    public String label() {
        return label;
    }

    public String field() {
        return field;
    }

    /** The rate of {@code amount} units (FLOPs, bytes or images) done in {@code ms} milliseconds. */
    public double of(double amount, double ms) {
        double perSecond = amount / (ms / 1e3);
        return this == IMAGES_PER_S ? perSecond : perSecond / 1e9;
    }
}
