package dev.fovea.cli;

import dev.fovea.nn.ModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `fovea layers [TYPE...]`: the layer types a model file may use and each one's fields, generated
 * from the op declarations, so the reference is never behind the engine (the README shows an
 * excerpt and points here rather than keeping a copy that every new op would have to edit).
 */
@Command(name = "layers", mixinStandardHelpOptions = true,
        description = "List the layer types of model files with each field's kind, range, default and meaning "
                + "(all types, or the TYPEs named).")
public final class LayersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TYPE", arity = "0..*", description = "Layer types to describe (default: all).")
    List<String> types = List.of();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ModelFile.describeLayerTypes(types).forEach(out::println);
        out.flush();
        return 0;
    }
}
