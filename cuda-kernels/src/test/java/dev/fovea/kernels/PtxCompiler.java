package dev.fovea.kernels;

import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Assembles PTX to a cubin in-process with JCuda's PTX compiler (no driver or GPU needed), and reads
 * per-kernel resource usage from its verbose log. The same log format comes from a stand-alone
 * {@code ptxas -v}, so {@link #parseLog} serves both.
 */
final class PtxCompiler {
    private static final Pattern FUNCTION = Pattern.compile("Function properties for (\\w+)");
    private static final Pattern FRAME = Pattern.compile(
            "(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");
    private static final Pattern USED = Pattern.compile("Compiling entry function '(\\w+)'|Used (\\d+) registers");

    /** Resource usage of one kernel on one architecture. */
    record Usage(int registers, int stackFrame, int spillStores, int spillLoads) {
        boolean spills() {
            return spillStores > 0 || spillLoads > 0;
        }
    }

    /** A successful compilation: the cubin size and each entry function's usage. */
    record Result(long cubinBytes, Map<String, Usage> kernels, String infoLog) {
    }

    private PtxCompiler() {
    }

    /**
     * Null when JCuda's PTX compiler loads on this platform, otherwise why not (JCuda ships its
     * natives for linux-x86_64 and windows-x86_64 only). Loading failures are LinkageErrors.
     */
    static String unavailableReason() {
        try {
            int[] major = new int[1];
            int[] minor = new int[1];
            JNvPTXCompiler.nvPTXCompilerGetVersion(major, minor);
            return null;
        } catch (LinkageError e) {
            return "JCuda's PTX compiler cannot load on " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + ": " + e;
        }
    }

    /** Compiles for {@code --gpu-name=arch}; throws AssertionError with the error log on failure. */
    static Result compile(String ptx, String arch) {
        JNvPTXCompiler.setExceptionsEnabled(false);
        nvPTXCompilerHandle handle = new nvPTXCompilerHandle();
        byte[] source = ptx.getBytes(StandardCharsets.US_ASCII);
        check(JNvPTXCompiler.nvPTXCompilerCreate(handle, source.length, source), "create", handle);
        try {
            String[] options = {"--gpu-name=" + arch, "--verbose"};
            int rc = JNvPTXCompiler.nvPTXCompilerCompile(handle, options.length, options);
            if (rc != 0) {
                throw new AssertionError("PTX compile for " + arch + " failed (" + rc + "): " + errorLog(handle));
            }
            long[] size = new long[1];
            check(JNvPTXCompiler.nvPTXCompilerGetCompiledProgramSize(handle, size), "program size", handle);
            byte[] cubin = new byte[(int) size[0]];
            check(JNvPTXCompiler.nvPTXCompilerGetCompiledProgram(handle, cubin), "program", handle);
            String info = infoLog(handle);
            return new Result(size[0], parseLog(info), info);
        } finally {
            JNvPTXCompiler.nvPTXCompilerDestroy(handle);
        }
    }

    /** Per-kernel usage from a verbose ptxas log, in the order the kernels appear. */
    static Map<String, Usage> parseLog(String log) {
        Map<String, int[]> frames = new LinkedHashMap<>();
        String current = null;
        for (String line : log.split("\n")) {
            Matcher f = FUNCTION.matcher(line);
            if (f.find()) {
                current = f.group(1);
                continue;
            }
            Matcher fr = FRAME.matcher(line);
            if (fr.find() && current != null) {
                frames.put(current, new int[] {Integer.parseInt(fr.group(1)), Integer.parseInt(fr.group(2)),
                        Integer.parseInt(fr.group(3))});
            }
        }
        Map<String, Usage> out = new LinkedHashMap<>();
        String compiling = null;
        for (String line : log.split("\n")) {
            Matcher m = USED.matcher(line);
            if (!m.find()) {
                continue;
            }
            if (m.group(1) != null) {
                compiling = m.group(1);
            } else if (compiling != null) {
                int[] fr = frames.getOrDefault(compiling, new int[3]);
                out.put(compiling, new Usage(Integer.parseInt(m.group(2)), fr[0], fr[1], fr[2]));
                compiling = null;
            }
        }
        return out;
    }

    private static String errorLog(nvPTXCompilerHandle h) {
        long[] size = new long[1];
        JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(h, size);
        byte[] log = new byte[(int) size[0]];
        JNvPTXCompiler.nvPTXCompilerGetErrorLog(h, log);
        return trimmed(log);
    }

    private static String infoLog(nvPTXCompilerHandle h) {
        long[] size = new long[1];
        JNvPTXCompiler.nvPTXCompilerGetInfoLogSize(h, size);
        byte[] log = new byte[(int) size[0]];
        JNvPTXCompiler.nvPTXCompilerGetInfoLog(h, log);
        return trimmed(log);
    }

    private static String trimmed(byte[] log) {
        int n = log.length;
        while (n > 0 && log[n - 1] == 0) {
            n--;
        }
        return new String(log, 0, n, StandardCharsets.US_ASCII);
    }

    private static void check(int rc, String step, nvPTXCompilerHandle h) {
        if (rc != 0) {
            throw new AssertionError("nvPTXCompiler " + step + " failed (" + rc + ")");
        }
    }
}
