package dev.kiln.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Stacked byte-level mutations of corpus entries, as AFL's havoc stage does them (no coverage feedback). */
final class Mutator {
    private static final long[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffffL,
            0x80000000L, 0xffffffffL, 1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final int MAX_LENGTH = 4 << 20;

    private final Random r;
    private final List<byte[]> corpus;
    private final List<byte[]> dictionary;
    private final List<byte[]> kept = new ArrayList<>();

    Mutator(Random r, List<byte[]> corpus, List<byte[]> dictionary) {
        this.r = r;
        this.corpus = corpus;
        this.dictionary = dictionary;
    }

    void keep(byte[] input) {
        if (kept.size() < 256) kept.add(input);
        else kept.set(r.nextInt(kept.size()), input);
    }

    byte[] mutant() {
        byte[] b = !kept.isEmpty() && r.nextInt(4) == 0 ? kept.get(r.nextInt(kept.size())) : corpus.get(r.nextInt(corpus.size()));
        b = b.clone();
        int n = 1 + r.nextInt(8);
        for (int k = 0; k < n; k++) b = once(b);
        return b.length > MAX_LENGTH ? java.util.Arrays.copyOf(b, MAX_LENGTH) : b;
    }

    private int pos(byte[] b) { return b.length == 0 ? 0 : skewed(b.length); }

    /** Positions near the start are likelier: headers live there. */
    private int skewed(int n) { return r.nextBoolean() ? r.nextInt(Math.min(n, 256)) : r.nextInt(n); }

    private byte[] once(byte[] b) {
        switch (r.nextInt(10)) {
            case 0: if (b.length > 0) { int p = pos(b); b[p] ^= (byte) (1 << r.nextInt(8)); } return b;
            case 1: if (b.length > 0) b[pos(b)] = (byte) r.nextInt(256); return b;
            case 2: if (b.length > 0) b[pos(b)] = (byte) INTERESTING[r.nextInt(8)]; return b;
            case 3: { // a 2-, 4- or 8-byte little-endian number
                int w = 1 << (1 + r.nextInt(3));
                if (b.length < w) return b;
                int p = r.nextInt(b.length - w + 1);
                ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                long v = INTERESTING[r.nextInt(INTERESTING.length)];
                if (w == 2) bb.putShort(p, (short) v); else if (w == 4) bb.putInt(p, (int) v); else bb.putLong(p, v);
                return b;
            }
            case 4: { // delete a range
                if (b.length < 2) return b;
                int p = pos(b), len = 1 + r.nextInt(Math.min(64, b.length - p));
                return concat(slice(b, 0, p), slice(b, p + len, b.length));
            }
            case 5: { // duplicate a range (repeats grow nesting, counts, lengths)
                if (b.length == 0) return b;
                int p = pos(b), len = 1 + r.nextInt(Math.min(32, b.length - p));
                byte[] piece = slice(b, p, p + len);
                int times = 1 + r.nextInt(r.nextInt(16) == 0 ? 4096 : 8);
                byte[] rep = new byte[Math.min(piece.length * times, 1 << 20)];
                for (int i = 0; i < rep.length; i++) rep[i] = piece[i % piece.length];
                return concat(slice(b, 0, p), rep, slice(b, p, b.length));
            }
            case 6: { // insert a dictionary token
                if (dictionary.isEmpty()) return b;
                int p = pos(b);
                return concat(slice(b, 0, p), dictionary.get(r.nextInt(dictionary.size())), slice(b, p, b.length));
            }
            case 7: { // splice with another corpus entry
                byte[] o = corpus.get(r.nextInt(corpus.size()));
                if (o.length == 0 || b.length == 0) return b;
                int p = pos(b), q = r.nextInt(o.length);
                return concat(slice(b, 0, p), slice(o, q, Math.min(o.length, q + 1 + r.nextInt(256))), slice(b, p, b.length));
            }
            case 8: return b.length == 0 ? b : slice(b, 0, pos(b)); // truncate
            default: { // random ASCII digits: long numbers
                int p = pos(b);
                byte[] d = new byte[1 + r.nextInt(r.nextInt(8) == 0 ? 400 : 24)];
                for (int i = 0; i < d.length; i++) d[i] = (byte) ('0' + r.nextInt(10));
                return concat(slice(b, 0, p), d, slice(b, p, b.length));
            }
        }
    }

    private static byte[] slice(byte[] b, int from, int to) { return java.util.Arrays.copyOfRange(b, from, to); }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
