package dev.kiln.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The property every fuzz target checks, for each input Jazzer feeds it: the parser returns, or throws one of the
 * allowed typed input errors — never another exception, never runs longer than {@link #INPUT_MILLIS}, never
 * allocates more than {@link #allocationBound}. Jazzer ({@code @FuzzTest}, one test class per target) generates the
 * inputs, guided by coverage; this class is the oracle it calls. A broken property throws {@link AssertionError},
 * which Jazzer reports as a finding and saves next to the target's kept inputs.
 *
 * <pre>
 *   -Dkiln.fuzz.inputMillis=N   time limit per input (default 5000)
 * </pre>
 * Figures of every run (executions, rejected, slowest, most allocated) are appended to
 * {@code target/fuzz-report.txt} by {@link #report()}.
 */
public final class Fuzz {
    /** The parser under test; throws what it throws. */
    public interface Target { void accept(byte[] input) throws Exception; }

    public static final long INPUT_MILLIS = Long.getLong("kiln.fuzz.inputMillis", 5_000);

    /** At most 64 MiB plus 64 bytes per input byte may be allocated for one input. */
    public static long allocationBound(int inputLength) { return (64L << 20) + 64L * inputLength; }

    public static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final String name;
    private final List<Class<? extends Throwable>> allowed;
    private ExecutorService worker = newWorker();
    private long execs, rejected, slowestMillis, mostAllocated;
    private final long t0 = System.nanoTime();

    /**
     * @param name    the target's name (docs/testing.md's table, the report line)
     * @param allowed the typed errors the target may throw
     */
    @SafeVarargs
    public Fuzz(String name, Class<? extends Throwable>... allowed) {
        this.name = name;
        this.allowed = List.of(allowed);
    }

    /** A daemon thread: a hung input cannot be stopped, so its thread dies with the test JVM. */
    private ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code target} on one input in a worker thread (so a hang is caught and allocation is measured for the
     * input alone) and checks the property. An input that breaks the time or allocation bound is run once more and
     * fails only if it breaks one again: the first run of a new code path also pays for loading its classes, which
     * Jazzer's agent instruments in the loading thread (the 15 KB seed of {@code tokenizer-json} allocated 220 MB
     * that way, and under 4 MiB when run again).
     *
     * @throws AssertionError naming the target, the input's length and what broke
     */
    public synchronized void check(byte[] input, Target target) {
        String broken = once(input, target);
        if (broken != null) {
            String again = once(input, target);
            if (again != null) throw failure(input, broken + ", and when run again " + again, null);
        }
        execs++;
    }

    /** One run: null within the bounds, else what it broke; an exception that is not allowed fails at once. */
    private String once(byte[] input, Target target) {
        long start = System.nanoTime();
        Future<long[]> f = worker.submit(() -> {
            long a0 = MX.getCurrentThreadAllocatedBytes();
            try {
                target.accept(input);
                return new long[] {MX.getCurrentThreadAllocatedBytes() - a0, 0};
            } catch (Throwable e) {
                for (Class<? extends Throwable> c : allowed) {
                    if (c.isInstance(e)) return new long[] {MX.getCurrentThreadAllocatedBytes() - a0, 1};
                }
                throw new Unexpected(e);
            }
        });
        long[] r;
        try {
            r = f.get(INPUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the hung thread keeps its worker; the next run gets a fresh one
            return "ran longer than " + INPUT_MILLIS + " ms (a hang)";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof Unexpected u ? u.getCause() : e.getCause();
            throw failure(input, "threw " + cause + ", not one of " + allowed, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("fuzz target " + name + " interrupted", e);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (r[0] > allocationBound(input.length)) {
            return "allocated " + r[0] + " bytes, more than the bound " + allocationBound(input.length) + " for "
                    + input.length + " input bytes";
        }
        rejected += r[1];
        slowestMillis = Math.max(slowestMillis, millis);
        mostAllocated = Math.max(mostAllocated, r[0]);
        return null;
    }

    private static final class Unexpected extends RuntimeException {
        Unexpected(Throwable cause) { super(cause); }
    }

    private AssertionError failure(byte[] input, String what, Throwable cause) {
        return new AssertionError("fuzz target " + name + ": an input of " + input.length + " bytes " + what
                + " (Jazzer saves the input as crash-<sha1> in this target's inputs directory; after the fix rename it"
                + " to say what it is and keep it there)", cause);
    }

    /** Prints and appends to {@code target/fuzz-report.txt} one line of this run's figures; call it from {@code @AfterAll}. */
    public synchronized void report() throws IOException {
        worker.shutdownNow();
        String line = String.format("fuzz %-22s %8d execs in %5.1f s (%d rejected as typed input errors, slowest %d ms,"
                + " most allocated %d KiB)", name, execs, (System.nanoTime() - t0) / 1e9, rejected, slowestMillis,
                mostAllocated >> 10);
        System.out.println(line);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "fuzz-report.txt"), line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
