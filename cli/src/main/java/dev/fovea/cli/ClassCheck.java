package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.graph.Graph;
import dev.fovea.train.Trainer;

import java.util.List;

/**
 * The one rule for a trained model and a data set: the images fit the model's input, there is one
 * output per class, and the classes are the ones the model was trained on, by name, in order. A
 * model judged on other classes would report a meaningless accuracy, so each mismatch is refused
 * with one line and the remedy.
 */
final class ClassCheck {
    private ClassCheck() {
    }

    /**
     * @param source  the checkpoint, for messages
     * @param classes the model's class names, or null when unknown (bare weights): then only the count is checked
     */
    static void check(String source, Graph g, List<String> classes, Dataset d) {
        int outputs = g.outputShape().dim(-1);
        Trainer.checkInput(g, d);
        if (outputs != d.numClasses()) {
            throw new IllegalArgumentException(source + " classifies " + outputs + " classes"
                    + (classes != null ? " (" + Trainer.classList(classes) + ")" : "") + " but data set '" + d.name()
                    + "' has " + d.numClasses() + " (" + Trainer.classList(d.classNames()) + "); to use the model on this "
                    + "data, fine-tune it: fovea train --init-from " + source + " --num-classes " + d.numClasses()
                    + " --data DATA");
        }
        if (classes != null && !classes.equals(d.classNames())) {
            int i = 0;
            while (classes.get(i).equals(d.classNames().get(i))) {
                i++;
            }
            throw new IllegalArgumentException(source + " was trained on classes " + Trainer.classList(classes)
                    + " but data set '" + d.name() + "' has " + Trainer.classList(d.classNames()) + " (class " + i
                    + " is '" + classes.get(i) + "' in the checkpoint, '" + d.classNames().get(i) + "' in the data): "
                    + "name the class folders as in training, or fine-tune: fovea train --init-from " + source
                    + " --num-classes " + d.numClasses() + " --data DATA");
        }
    }
}
