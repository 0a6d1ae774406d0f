package dev.fovea.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `fovea` command: train, evaluate, inspect and benchmark convolutional networks. */
@Command(name = "fovea", mixinStandardHelpOptions = true, version = "fovea 0.1.0",
        description = "Fovea: a deep-learning engine for convolutional networks (CPU and NVIDIA GPUs).",
        subcommands = {CommandLine.HelpCommand.class, ConformanceCommand.class, TrainCommand.class, EvalCommand.class,
                PredictCommand.class, SummaryCommand.class, LayersCommand.class, ImportCommand.class, ExportCommand.class, VisualizeCommand.class, DevicesCommand.class, BenchCommand.class})
public final class Fovea implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line; tests use this to run commands in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new Fovea()).setExecutionExceptionHandler(new Errors());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
