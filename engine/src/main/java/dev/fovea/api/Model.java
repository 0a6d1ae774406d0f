package dev.fovea.api;

import dev.fovea.backend.Backend;
import dev.fovea.data.ImageFiles;
import dev.fovea.data.ImagePreprocessing;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.graph.ClassifierHead;
import dev.fovea.graph.Graph;
import dev.fovea.graph.Parameters;
import dev.fovea.nn.ModelFile;
import dev.fovea.nn.Zoo;
import dev.fovea.train.Checkpoint;
import dev.fovea.train.CheckpointArgs;
import dev.fovea.train.Freezing;
import dev.fovea.train.InferenceModel;
import dev.fovea.train.LoadedModel;
import dev.fovea.train.ModelSpec;
import dev.fovea.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A classifier with its weights and what its training recorded about its inputs (normalisation,
 * class names, the images' background), ready to predict, train and save:
 *
 * <pre>{@code
 * try (Model model = Model.load("runs/digits/epoch-004.json")) {
 *     Prediction p = model.predict(Path.of("digit.png"));
 *     System.out.println(p.label() + " " + p.probability());
 * }
 * }</pre>
 *
 * <p>Inputs are preprocessed as {@code fovea predict} does: an image file is resized to the model's
 * input (grey or RGB as it takes, transparency over the training images' background), scaled to
 * [0, 1], then normalised as in training; a {@code float[]} is taken as already resized and scaled,
 * and normalised here. The model computes on its {@link Device} ({@code auto} unless {@link #to}
 * says otherwise), opened on first use and released by {@link #close}. A model is not safe for use
 * by several threads at once.
 */
public final class Model implements AutoCloseable {
    /** Where load notes go: a library does not print, it logs to whatever the application configured. */
    private static final System.Logger LOG = System.getLogger(Model.class.getName());

    private final ModelSpec spec;
    private final Graph graph;
    private Map<String, float[]> weights;
    private final Normalization normalization;
    private List<String> classes;
    private float[] background;
    private Device device = Device.auto();
    private Backend backend;
    private LoadedModel loaded;

    private Model(ModelSpec spec, Graph graph, Map<String, float[]> weights, Normalization normalization,
                  List<String> classes, float[] background) {
        this.spec = spec;
        this.graph = graph;
        this.weights = weights;
        this.normalization = normalization;
        this.classes = classes;
        this.background = background;
    }

    /**
     * A zoo model by name ({@code mnist-cnn}, {@code resnet18-cifar}, ...; fresh weights, seed 1), or
     * {@link #load(Path) a file}.
     *
     * @param source a zoo name or a file's path
     * @return the model, on {@link Device#auto()}
     * @throws IOException when the file cannot be read
     */
    public static Model load(String source) throws IOException {
        if (Zoo.exists(source)) {
            return fresh(ModelSpec.parse(source));
        }
        return load(Path.of(source));
    }

    /**
     * A model file ({@code fovea-model/1} JSON; fresh weights, seed 1), an ONNX file ({@code .onnx},
     * its own weights, no normalisation), or a checkpoint written by {@code fovea train},
     * {@link #fit} or {@link #save} (its {@code .json} or {@code .safetensors}, or a run directory for
     * its latest checkpoint) with the normalisation and class names it recorded. Where a file records
     * nothing about its inputs, a note says what is assumed, and non-finite weights are warned about,
     * through the JDK's platform logger {@code dev.fovea.api.Model} (notes at INFO, warnings at
     * WARNING), which an application routes to its own logging framework; with no configuration
     * java.util.logging prints both on stderr.
     *
     * @param path the file (or run directory)
     * @return the model, on {@link Device#auto()}
     * @throws IOException when the file cannot be read
     */
    public static Model load(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(path + ": no such file or directory; Model.load takes a zoo name ("
                    + String.join(", ", Zoo.names()) + "), a model file, an ONNX file or a checkpoint");
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (name.endsWith(".json") && Files.isRegularFile(path)
                && ModelFile.FORMAT.equals(CheckpointArgs.jsonFormat(path))) {
            return fresh(ModelSpec.parse(path.toString()));
        }
        InferenceModel m = InferenceModel.read(path, null, null,
                line -> LOG.log(line.startsWith("warning:") ? System.Logger.Level.WARNING : System.Logger.Level.INFO, line));
        return new Model(m.spec(), m.graph(), m.weights(), m.normalization(), m.classes(), m.background());
    }

    /**
     * A network built in code with {@code GraphBuilder}, with fresh weights (seed 1, PyTorch's
     * initialisation); it trains, saves and loads like any other. Refused when a model file cannot
     * express it (see {@code ModelFileWriter}), since a saved model records its architecture as one.
     *
     * @param graph the network
     * @return the model, on {@link Device#auto()}
     */
    public static Model of(Graph graph) {
        return fresh(ModelSpec.of(graph));
    }

    private static Model fresh(ModelSpec spec) {
        Graph g = spec.graph();
        return new Model(spec, g, Parameters.initialValues(g, 1), null, null, null);
    }

    /**
     * This model with a new classifier head of {@code classes} outputs (freshly initialised, seed 1)
     * and every other weight kept: the first step of fine-tuning on a data set with other classes,
     * as a torchvision user replaces {@code model.fc}. The new model computes on this one's device.
     *
     * @param classes outputs of the new head, at least 2
     * @return a new model; this one is unchanged
     */
    public Model withNumClasses(int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("withNumClasses(" + classes + "): a classifier needs at least 2 classes");
        }
        ModelSpec s = spec.withNumClasses(classes);
        Graph g = s.graph();
        Map<String, float[]> w = Parameters.initialValues(g, 1);
        List<String> head = ClassifierHead.parameters(g);
        weights.forEach((k, v) -> {
            if (!head.contains(k)) {
                w.put(k, v);
            }
        });
        Model m = new Model(s, g, w, normalization, null, background);
        m.device = device;
        return m;
    }

    /**
     * Computes on {@code d} from now on (the weights move there when next used).
     *
     * @param d the device
     * @return this model
     */
    public Model to(Device d) {
        if (!d.equals(device)) {
            release();
            device = d;
        }
        return this;
    }

    /** {@return the device this model computes on} */
    public Device device() {
        return device;
    }

    /** {@return the architecture's name ("mnist-cnn", a model file's "name")} */
    public String name() {
        return graph.name();
    }

    /** {@return one input image's shape: channels, height, width} */
    public int[] inputShape() {
        return new int[] {graph.input().shape().dim(1), graph.input().shape().dim(2), graph.input().shape().dim(3)};
    }

    /** {@return the class names, by output index (numbers when nothing recorded names)} */
    public List<String> classes() {
        return classes != null ? classes : dev.fovea.data.Dataset.numberedClasses(outputs());
    }

    /**
     * Classifies an image file, preprocessed as {@code fovea predict} does by default.
     *
     * @param image a PNG or JPEG file
     * @return the classes' probabilities
     * @throws IOException when the file cannot be read or decoded
     */
    public Prediction predict(Path image) throws IOException {
        int[] in = inputShape();
        float[] x = ImageFiles.load(image, in[0], in[1], in[2],
                ImagePreprocessing.forModel(false, false, background, in[0]));
        return predict(new float[][] {x}).get(0);
    }

    /**
     * Classifies one image given as values.
     *
     * @param image channels x height x width values in [0, 1], row by row
     * @return the classes' probabilities
     */
    public Prediction predict(float[] image) {
        return predict(new float[][] {image}).get(0);
    }

    /**
     * Classifies a batch of images in one pass.
     *
     * @param images each as {@link #predict(float[])} takes it
     * @return one prediction per image, in order
     */
    public List<Prediction> predict(float[][] images) {
        int[] in = inputShape();
        int per = in[0] * in[1] * in[2];
        float[] batch = new float[Math.multiplyExact(images.length, per)];
        for (int i = 0; i < images.length; i++) {
            if (images[i].length != per) {
                throw new IllegalArgumentException("image " + i + " has " + images[i].length + " values; model '" + name()
                        + "' takes " + in[0] + "x" + in[1] + "x" + in[2] + " = " + per + " (channels, height, width)");
            }
            System.arraycopy(images[i], 0, batch, i * per, per);
        }
        List<Prediction> out = new ArrayList<>();
        if (images.length == 0) {
            return out;
        }
        float[] p = loaded().probabilities(backend, batch, images.length);
        int k = outputs();
        List<String> labels = List.copyOf(classes());
        for (int i = 0; i < images.length; i++) {
            out.add(new Prediction(Arrays.copyOfRange(p, i * k, (i + 1) * k), labels));
        }
        return out;
    }

    /**
     * Trains this model on {@code data} from its current weights, as {@code fovea train --init-from}
     * does: softmax cross-entropy, the test split evaluated after each epoch, inputs normalised as
     * the model records. The model keeps the trained weights and takes the data's class names.
     *
     * @param data    the images to train and test on
     * @param options how to train
     * @return each epoch's losses and accuracies
     * @throws IOException when the data or a checkpoint cannot be read or written
     */
    public List<Epoch> fit(Dataset data, FitOptions options) throws IOException {
        if (options.device() != null) {
            to(options.device());
        }
        Splits splits = data.read(LoadedModel.folderSize(graph));
        if (outputs() != splits.train().numClasses()) {
            throw new IllegalArgumentException("model '" + name() + "' has " + outputs() + " outputs but the data has "
                    + splits.train().numClasses() + " classes (" + Trainer.classList(splits.train().classNames())
                    + "): give it a new classifier head with model.withNumClasses(" + splits.train().numClasses() + ")");
        }
        Path dir = options.checkpointDir() != null ? options.checkpointDir() : Files.createTempDirectory("fovea-fit");
        try {
            Trainer.Config cfg = Trainer.Config.builder(dir).epochs(options.epochs()).batchSize(options.batchSize())
                    .seed(options.seed()).optimizer(options.optimizer()).normalization(normalization)
                    .frozen(Freezing.parameters(graph, options.freeze())).build();
            Trainer trainer = new Trainer(spec, backend(), splits, cfg);
            List<Epoch> history = new ArrayList<>();
            trainer.onEpoch(e -> {
                Epoch row = new Epoch(e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testLoss(), e.testAccuracy(), e.lr());
                history.add(row);
                options.progress().accept(row);
            });
            Trainer.Result r = trainer.runFrom(weights, "model '" + name() + "'");
            releaseWeights();
            weights = new LinkedHashMap<>(r.weights());
            classes = splits.train().classNames();
            background = splits.train().borderMean();
            return history;
        } finally {
            if (options.checkpointDir() == null) {
                deleteTree(dir);
            }
        }
    }

    /**
     * Saves this model as a checkpoint: {@code path} (a {@code .json} sidecar holding the architecture,
     * normalisation and class names) and its weights beside it ({@code .safetensors}, PyTorch's names
     * and layouts), loadable with {@link #load(Path)} and by every {@code fovea} command.
     *
     * @param path the sidecar to write ({@code .json} is added when missing)
     * @return the sidecar's path
     * @throws IOException when a file cannot be written
     */
    public Path save(Path path) throws IOException {
        String file = path.getFileName() == null ? "" : path.getFileName().toString();
        Path stem = path.resolveSibling(file.endsWith(".json") ? file.substring(0, file.length() - 5) : file);
        if (stem.getParent() != null) {
            Files.createDirectories(stem.getParent());
        }
        return Checkpoint.ofWeights(spec, graph, weights, normalization, classes(), background).write(stem);
    }

    /** Releases the device memory this model holds (its weights stay on the host). */
    @Override
    public void close() {
        release();
    }

    private int outputs() {
        return graph.outputShape().dim(-1);
    }

    private Backend backend() {
        if (backend == null) {
            backend = device.open();
        }
        return backend;
    }

    /** The model on its device, batch norm folded, built on first use after a change of weights or device. */
    private LoadedModel loaded() {
        if (loaded == null) {
            loaded = LoadedModel.of(graph, weights, backend(), normalization, classes(), background);
        }
        return loaded;
    }

    private void releaseWeights() {
        if (loaded != null) {
            loaded.executor().params().close();
            loaded = null;
        }
    }

    private void release() {
        releaseWeights();
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
