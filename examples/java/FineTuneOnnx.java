import dev.fovea.api.Dataset;
import dev.fovea.api.Epoch;
import dev.fovea.api.FitOptions;
import dev.fovea.api.Model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Fine-tunes a model exported from PyTorch as ONNX on a folder of images:
 * {@code java --add-modules jdk.incubator.vector -cp fovea-engine.jar:. FineTuneOnnx MODEL.onnx DATA OUT},
 * where DATA holds {@code train/} and {@code test/} with one folder of images per class. The model's
 * classifier head is replaced by one with a class per folder, its first convolution stays frozen,
 * and the fine-tuned model is saved as OUT/fine-tuned.json (+ .safetensors).
 */
public class FineTuneOnnx {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: FineTuneOnnx MODEL.onnx DATA OUT");
            System.exit(2);
        }
        Path data = Path.of(args[1]);
        int classes;
        try (Stream<Path> folders = Files.list(data.resolve("train"))) {
            classes = (int) folders.filter(Files::isDirectory).count();
        }
        try (Model imported = Model.load(Path.of(args[0])); Model model = imported.withNumClasses(classes)) {
            FitOptions options = FitOptions.builder()
                    .epochs(3).batchSize(8).optimizer("adam", 0.002).freeze("conv1").seed(7)
                    .progress(e -> System.out.printf(Locale.ROOT, "epoch %d: train loss %.4f, test accuracy %.1f%%%n",
                            e.epoch(), e.trainLoss(), e.testAccuracy() * 100))
                    .build();
            List<Epoch> history = model.fit(Dataset.directory(data), options);
            Path saved = model.save(Path.of(args[2]).resolve("fine-tuned.json"));
            System.out.printf(Locale.ROOT, "saved %s (classes %s, test accuracy %.1f%%)%n", saved, model.classes(),
                    history.get(history.size() - 1).testAccuracy() * 100);
        }
    }
}
