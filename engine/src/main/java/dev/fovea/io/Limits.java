package dev.fovea.io;

/**
 * Every limit Fovea puts on what it reads, in one place (the README's "Reliability" section lists
 * them). Each is far above what a genuine file of its kind holds and bounds the time and memory a
 * hostile file can take; each is checked before anything the file declares is allocated, and every
 * message that enforces one names it, so a user with a genuine file that large knows which limit it hit.
 */
public final class Limits {
    /** The largest Java array a JVM reliably allocates, in elements. */
    public static final long JAVA_ARRAY = Integer.MAX_VALUE - 8;

    /** IDX files (compressed size): full Fashion-MNIST's images are 26 MB gzip, 47 MB raw. */
    public static final long IDX_FILE_BYTES = 1L << 30;
    /** Rows and columns of an IDX image, and each side of a model's input. */
    public static final long IMAGE_SIDE = 65_535;
    /** A CIFAR-10 batch holds 10,000 records (30.7 MB). */
    public static final long CIFAR_FILE_BYTES = 1L << 30;
    /** One PNG, JPEG, BMP or GIF file. */
    public static final long IMAGE_FILE_BYTES = 256L << 20;
    /** A decoded image's canvas: 8192 x 8192 pixels. */
    public static final long IMAGE_PIXELS = 8192L * 8192L;

    /** The reference safetensors implementation refuses headers over 100 MB; so does Fovea. */
    public static final long SAFETENSORS_HEADER_BYTES = 100_000_000L;
    /** Tensors in one safetensors file; the largest published checkpoints hold a few thousand. */
    public static final int SAFETENSORS_TENSORS = 100_000;

    /** A model file; examples/models/ are under 2 KB, and {@link #MODEL_LAYERS} layers of convolutions about 1 MB. */
    public static final long MODEL_FILE_BYTES = 4L << 20;
    /** Layers of a model file. */
    public static final int MODEL_LAYERS = 10_000;
    /** Channels of a model's input, a convolution's out_channels and a linear layer's out_features. */
    public static final int MODEL_CHANNELS = 1 << 20;
    /** A kernel size, stride, padding or dilation of a model file. */
    public static final int MODEL_WINDOW = 4096;
    /** Parameters of a whole model: each one a float, so 8 GiB; no parameter tensor may be larger either. */
    public static final long MODEL_PARAMETERS = Integer.MAX_VALUE;

    /** An ONNX file, weights included (protobuf's own limit is 2 GiB); ResNet-50 is about 100 MB. */
    public static final long ONNX_FILE_BYTES = 1L << 30;

    /** A checkpoint sidecar (.json): the model file, settings, class names and one history row per epoch. */
    public static final long SIDECAR_BYTES = 16L << 20;
    /** Class names in a sidecar, and epochs in its history. */
    public static final int SIDECAR_ENTRIES = 1_000_000;

    /** A conformance case file; the built-in generated suite written out is 300 KB. */
    public static final long CASE_FILE_BYTES = 16L << 20;
    /**
     * Numbers in one case file, all cases together, counted before the file is parsed into a tree
     * (a case is a small test, not a data set: the generated suite holds about 25,000).
     */
    public static final long CASE_FILE_ELEMENTS = 1L << 20;

    /** A bench measurement file read by {@code fovea bench plot}. */
    public static final long BENCH_FILE_BYTES = 16L << 20;

    /** Nesting of any JSON input; Fovea's formats need at most 8 levels. */
    public static final int JSON_DEPTH = 64;
    /** Characters of one JSON string value (safetensors metadata can hold a JSON document). */
    public static final int JSON_STRING_CHARS = 1_000_000;
    /** Characters of one JSON field name (Jackson's default). */
    public static final int JSON_NAME_CHARS = 50_000;

    /** Items an error message lists before "... and N more". */
    public static final int LISTED = 10;

    private Limits() {
    }
}
