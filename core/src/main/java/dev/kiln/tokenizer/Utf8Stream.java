package dev.kiln.tokenizer;

/**
 * Turns token bytes arriving one token at a time into text for a streaming callback. A character whose UTF-8 bytes
 * are spread over several byte-fallback tokens is held back until it is complete, so no broken character is ever
 * emitted; bytes that can never form a character come out as U+FFFD.
 *
 * <pre>
 * Utf8Stream s = new Utf8Stream();
 * for each generated id: onText(s.feed(tokenizer.tokenBytes(id)));
 * at the end:            onText(s.flush());
 * </pre>
 */
public final class Utf8Stream {
    private byte[] pending = new byte[16]; // (held-back bytes + the newest token's bytes)
    private int held;                       // bytes of an incomplete character kept from earlier feeds

    /** Adds one token's bytes; returns the text that became complete (possibly empty). */
    public String feed(byte[] bytes) {
        int n = held + bytes.length;
        if (n > pending.length) {
            byte[] grown = new byte[Math.max(n, 2 * pending.length)];
            System.arraycopy(pending, 0, grown, 0, held);
            pending = grown;
        }
        System.arraycopy(bytes, 0, pending, held, bytes.length);
        int ready = Utf8.completeLength(pending, 0, n);
        String text = Utf8.decode(pending, 0, ready);
        held = n - ready;
        System.arraycopy(pending, ready, pending, 0, held);
        return text;
    }

    /** Ends the stream: a character left incomplete comes out as U+FFFD. */
    public String flush() {
        String text = Utf8.decode(pending, 0, held);
        held = 0;
        return text;
    }

    /** Bytes currently held back waiting for the rest of a character. */
    public int pendingBytes() { return held; }
}
