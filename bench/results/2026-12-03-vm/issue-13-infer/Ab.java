import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.DoubleSupplier;

/** In-process A/B: the same runner on two jars (old, new), each in its own class loader, alternating. */
public class Ab {
    public static void main(String[] args) throws Exception {
        String spec = args[2];
        int rounds = Integer.parseInt(args[3]), per = Integer.parseInt(args[4]);
        DoubleSupplier[] side = new DoubleSupplier[2];
        for (int i = 0; i < 2; i++) {
            URLClassLoader l = new URLClassLoader(new URL[] {Path.of(args[i]).toUri().toURL(), Path.of("classes/").toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            side[i] = (DoubleSupplier) l.loadClass("InferRunner").getConstructor(String.class).newInstance(spec);
        }
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < 3e9) { side[0].getAsDouble(); side[1].getAsDouble(); }
        double[][] med = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < 2; s++) {
                double[] t = new double[per];
                for (int i = 0; i < per; i++) t[i] = side[s].getAsDouble();
                Arrays.sort(t);
                med[s][r] = t[per / 2];
            }
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) ratio[r] = med[0][r] / med[1][r];
        double[] a = med[0].clone(), b = med[1].clone(), rr = ratio.clone();
        Arrays.sort(a); Arrays.sort(b); Arrays.sort(rr);
        System.out.printf("%s: old best median %.3f ms, new %.3f ms; per-round old/new median %.2fx (range %.2f-%.2f), best/best %.2fx%n",
                spec, a[0], b[0], rr[rounds / 2], rr[0], rr[rounds - 1], a[0] / b[0]);
    }
}
