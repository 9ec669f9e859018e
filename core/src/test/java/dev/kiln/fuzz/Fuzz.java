package dev.kiln.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A small mutation fuzzer for the parsers that read outside input, run as ordinary JUnit tests in {@code mvn verify}.
 * Each input is a seed (real files from ../shared, small generated ones, and the kept regression inputs under
 * {@code src/test/resources/fuzz/<target>/}) changed by 1–8 stacked mutations ({@link Mutator}). The property, per
 * input: the target returns, or throws one of the allowed typed input errors — never another exception, never runs
 * longer than {@link #INPUT_MILLIS}, never allocates more than {@link #allocationBound}.
 *
 * <pre>
 *   -Dkiln.fuzz.millis=N   time per target (default 6000; CI total stays under two minutes)
 *   -Dkiln.fuzz.seed=S     replay a run (each run prints its seed)
 * </pre>
 * A failing input is written to {@code target/fuzz-findings/<target>/<sha>.bin}; once fixed, copy it into the
 * target's regression folder so it is replayed on every build. Figures of every run are appended to
 * {@code target/fuzz-report.txt}.
 */
public final class Fuzz {
    private Fuzz() {}

    /** The parser under test; throws what it throws. */
    public interface Target { void accept(byte[] input) throws Exception; }

    /** What one run did. */
    public record Report(String target, long execs, int seeds, long millis, long slowestMillis, long mostAllocated, long rejected) {}

    public static final long INPUT_MILLIS = Long.getLong("kiln.fuzz.inputMillis", 5_000);
    private static final long BUDGET_MILLIS = Long.getLong("kiln.fuzz.millis", 6_000);

    /** At most 64 MiB plus 64 bytes per input byte may be allocated for one input. */
    public static long allocationBound(int inputLength) { return (64L << 20) + 64L * inputLength; }

    /** Every file in {@code src/test/resources/fuzz/<target>/} (kept regression inputs), sorted by name. */
    public static List<byte[]> regressions(String target) throws IOException {
        Path dir = Path.of("src", "test", "resources", "fuzz", target);
        List<byte[]> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) out.add(Files.readAllBytes(p));
        }
        return out;
    }

    public static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /**
     * Runs {@code target} on the regression inputs and the seeds as given, then on mutants for the time budget.
     *
     * @param dictionary tokens worth inserting (JSON punctuation, big numbers, format magic); may be empty
     * @param allowed    the typed errors the target may throw
     * @throws AssertionError naming the input file, the exception and the seed, at the first failure
     */
    @SafeVarargs
    public static Report run(String name, List<byte[]> seeds, List<byte[]> dictionary, Target target,
                             Class<? extends Throwable>... allowed) throws Exception {
        long seed = Long.getLong("kiln.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        List<byte[]> corpus = new ArrayList<>(regressions(name));
        corpus.addAll(seeds);
        if (corpus.isEmpty()) throw new IllegalArgumentException(name + ": no seeds");
        int seedCount = corpus.size();
        Mutator mutator = new Mutator(random, corpus, dictionary);
        ExecutorService worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "fuzz-" + name);
            t.setDaemon(true); // a hung input cannot be stopped; the daemon thread dies with the test JVM
            return t;
        });
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime(), execs = 0, slowest = 0, mostAllocated = 0, rejected = 0;
        try {
            for (int k = 0; ; k++) {
                byte[] input = k < seedCount ? corpus.get(k) : mutator.mutant();
                long start = System.nanoTime();
                Future<long[]> f = worker.submit(() -> {
                    long a0 = mx.getCurrentThreadAllocatedBytes();
                    try {
                        target.accept(input);
                        return new long[] {mx.getCurrentThreadAllocatedBytes() - a0, 0};
                    } catch (Throwable e) {
                        for (Class<? extends Throwable> c : allowed) {
                            if (c.isInstance(e)) return new long[] {mx.getCurrentThreadAllocatedBytes() - a0, 1};
                        }
                        throw new Unexpected(e);
                    }
                });
                long[] r;
                try {
                    r = f.get(INPUT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    throw fail(name, seed, input, "ran longer than " + INPUT_MILLIS + " ms (a hang)", null);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() instanceof Unexpected u ? u.getCause() : e.getCause();
                    throw fail(name, seed, input, "threw " + cause, cause);
                }
                execs++;
                rejected += r[1];
                slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
                mostAllocated = Math.max(mostAllocated, r[0]);
                if (r[0] > allocationBound(input.length)) {
                    throw fail(name, seed, input, "allocated " + r[0] + " bytes, more than the bound "
                            + allocationBound(input.length) + " for " + input.length + " input bytes", null);
                }
                if (r[1] == 0 && k >= seedCount && random.nextInt(8) == 0) mutator.keep(input); // accepted mutants breed
                if (k >= seedCount && System.nanoTime() - t0 > BUDGET_MILLIS * 1_000_000) break;
            }
        } finally {
            worker.shutdownNow();
        }
        Report report = new Report(name, execs, seedCount, (System.nanoTime() - t0) / 1_000_000, slowest, mostAllocated, rejected);
        String line = String.format("fuzz %-22s %8d execs in %5.1f s (%d seeds, %d rejected as typed input errors, slowest %d ms,"
                + " most allocated %d KiB, seed %d)", name, execs, report.millis() / 1000.0, seedCount, rejected, slowest,
                mostAllocated >> 10, seed);
        System.out.println(line);
        Files.writeString(Path.of("target", "fuzz-report.txt"), line + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return report;
    }

    private static final class Unexpected extends RuntimeException {
        Unexpected(Throwable cause) { super(cause); }
    }

    private static AssertionError fail(String name, long seed, byte[] input, String what, Throwable cause) throws IOException {
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input)).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path file = Path.of("target", "fuzz-findings", name, sha + ".bin");
        Files.createDirectories(file.getParent());
        Files.write(file, input);
        return new AssertionError("fuzz target " + name + ": an input of " + input.length + " bytes " + what
                + "; the input is in " + file.toAbsolutePath() + " (replay with -Dkiln.fuzz.seed=" + seed
                + "; after the fix copy it to src/test/resources/fuzz/" + name + "/)", cause);
    }
}
