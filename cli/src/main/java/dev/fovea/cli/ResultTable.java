package dev.fovea.cli;

import dev.fovea.conformance.CaseResult;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Prints conformance results as aligned rows: case, op, backend, max abs error, max rel error, PASS/FAIL. */
final class ResultTable {
    private static final String NUMBER = "%-12s";
    private final PrintWriter out;
    private final String rowFormat;

    /** {@code cases} holds {case name, op} pairs, to size the columns. */
    ResultTable(PrintWriter out, List<String[]> cases) {
        this.out = out;
        int caseWidth = Math.max(4, cases.stream().mapToInt(c -> c[0].length()).max().orElse(4));
        int opWidth = Math.max(2, cases.stream().mapToInt(c -> c[1].length()).max().orElse(2));
        this.rowFormat = "%-" + caseWidth + "s  %-" + opWidth + "s  %-8s  " + NUMBER + "  " + NUMBER + "  %s%n";
    }

    void header() {
        out.printf(rowFormat, "case", "op", "backend", "max abs err", "max rel err", "result");
    }

    void row(CaseResult r) {
        out.printf(rowFormat, r.caseName(), r.op(), r.backend(), number(r.maxAbsError()), number(r.maxRelError()),
                r.passed() ? "PASS" : "FAIL");
        if (!r.passed()) {
            out.println("    " + r.detail());
        }
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.3e", v);
    }
}
