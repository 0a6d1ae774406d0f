import dev.fovea.api.Model;
import dev.fovea.api.Prediction;

import java.nio.file.Path;

/**
 * Classifies images with a trained model, as {@code fovea predict} does:
 * {@code java --add-modules jdk.incubator.vector -cp fovea-engine.jar:. ClassifyImage CHECKPOINT IMAGE...}.
 * The checkpoint records how its inputs were normalised, and predict applies that.
 */
public class ClassifyImage {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ClassifyImage CHECKPOINT IMAGE...");
            System.exit(2);
        }
        try (Model model = Model.load(Path.of(args[0]))) {
            for (int i = 1; i < args.length; i++) {
                Prediction p = model.predict(Path.of(args[i]));
                System.out.println(args[i] + ": " + p); // the top three, e.g. "7 98.12%, 3 1.02%, 9 0.40%"
            }
        }
    }
}
