package dev.fovea.tests;

import dev.fovea.cli.Fovea;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs `fovea` in-process and captures its exit status, stdout and stderr. */
record Cli(int status, String out, String err) {

    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Fovea.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int status = cmd.execute(args);
        return new Cli(status, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + status + "\n--- out\n" + out + "--- err\n" + err;
    }
}
