package dev.kiln.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE as llama.cpp runs it ({@code llm_tokenizer_spm}): optional space prefix, spaces become U+2581,
 * the text starts as one symbol per character, and the adjacent pair whose concatenation is a vocabulary token with
 * the highest score is merged until no pair is a token (leftmost first on equal scores). A character that is no
 * token falls back to its UTF-8 bytes as {@code <0xNN>} tokens (else the unknown token).
 *
 * <p>User-defined tokens are matched literally before BPE (as llama.cpp does with parse_special off); a text piece
 * that follows one gets the space prefix again, like the start of the text.
 */
final class SentencePiece implements Tokenizer {
    private static final char SPACE_MARK = '\u2581';

    private final Vocabulary vocab;
    private final Map<String, Integer> ids = new HashMap<>(); // token text -> id (a later duplicate wins, as in llama.cpp)
    private final int[] byteTokens = new int[256];            // byte -> its <0xNN> token, -1 when absent
    private final byte[][] pieces;                            // (vocab) token bytes for decoding
    private final List<String> userDefined = new ArrayList<>(); // texts matched before BPE, longest first
    private final List<String> structural;                      // a prompt's trusted ranges only (TokenPartition.structural)
    private final List<String> plainUserDefined;                // user-defined but not structural: anywhere in a prompt

    SentencePiece(Vocabulary v) {
        this.vocab = v;
        int n = v.size();
        pieces = new byte[n][];
        for (int i = 0; i < 256; i++) byteTokens[i] = -1;
        for (int id = 0; id < n; id++) {
            String text = v.tokens().get(id);
            ids.put(text, id);
            int type = v.types()[id];
            int b = byteValue(text);
            if (type == Vocabulary.BYTE) {
                if (b < 0) throw new IllegalArgumentException("byte token " + id + " is '" + text + "', expected <0xNN>");
                byteTokens[b] = id;
            }
            pieces[id] = piece(text, type, b);
            if (type == Vocabulary.USER_DEFINED && !text.isEmpty()) userDefined.add(text);
        }
        userDefined.sort((a, b) -> b.length() - a.length());
        structural = TokenPartition.structural(v);
        plainUserDefined = TokenPartition.without(userDefined, structural);
        if (v.scores().length != n) throw new IllegalArgumentException("a SentencePiece vocabulary needs one score per token, got "
                + v.scores().length + " for " + n + " tokens");
    }

    /** The bytes a token decodes to, following llama.cpp's token_to_piece for SentencePiece vocabularies. */
    private static byte[] piece(String text, int type, int byteValue) {
        switch (type) {
            case Vocabulary.CONTROL, Vocabulary.UNUSED: return new byte[0];
            case Vocabulary.BYTE: return new byte[] {(byte) byteValue};
            case Vocabulary.UNKNOWN: return Utf8.encode(0x2585); // '▅', what llama.cpp prints for <unk>
            default: {
                String s = text.replace(SPACE_MARK, ' ');
                byte[] buf = new byte[4 * s.length()];
                int p = 0;
                for (int i = 0; i < s.length(); ) {
                    int cp = s.codePointAt(i);
                    p = Utf8.encode(cp, buf, p);
                    i += Character.charCount(cp);
                }
                byte[] out = new byte[p];
                System.arraycopy(buf, 0, out, 0, p);
                return out;
            }
        }
    }

    /** NN of a "<0xNN>" token text, or -1. */
    private static int byteValue(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>') return -1;
        int hi = Character.digit(text.charAt(3), 16), lo = Character.digit(text.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
    }

    @Override public int[] encode(String text) { return encode(text, vocab.addBos()); }

    @Override
    public int[] encode(String text, boolean addBos) {
        IntList out = new IntList();
        if (addBos && vocab.bos() >= 0) out.add(vocab.bos());
        if (text.isEmpty()) return out.toArray(); // llama.cpp: no space prefix for empty text
        encodeParts(TokenPartition.partition(text, userDefined, ids), out);
        return out.toArray();
    }

    @Override
    public int[] encodePrompt(String text, int[] untrusted) {
        List<Object> parts = new ArrayList<>();
        for (Object p : TokenPartition.partitionTrusted(text, untrusted, structural, ids)) {
            if (p instanceof String s) parts.addAll(TokenPartition.partition(s, plainUserDefined, ids));
            else parts.add(p);
        }
        IntList out = new IntList();
        encodeParts(parts, out);
        return Tokenizer.withBos(out.toArray(), vocab);
    }

    /** Token ids as they are; a text fragment gets the space prefix at the start and after a token id. */
    private void encodeParts(List<Object> parts, IntList out) {
        boolean afterSpecial = true; // the start of the text counts as "after a special token"
        for (Object f : parts) {
            if (f instanceof Integer id) {
                out.add(id);
                afterSpecial = true;
                continue;
            }
            String fragment = (String) f;
            if (vocab.addSpacePrefix() && afterSpecial) fragment = " " + fragment;
            bpe(fragment.replace(' ', SPACE_MARK), out);
            afterSpecial = false;
        }
    }

    /** One merge candidate: symbols left and right (adjacent when made) whose texts joined are a token. */
    private record Bigram(float score, int left, int right, int size) {}

    /** BPE over one fragment (already with U+2581 for spaces), appending its ids to {@code out}. */
    private void bpe(String text, IntList out) {
        // symbols: one per character (code point), as a doubly linked list over the text
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n], len = new int[n], prev = new int[n], next = new int[n];
        for (int s = 0, i = 0; s < n; s++) {
            int cp = text.codePointAt(i);
            start[s] = i;
            len[s] = Character.charCount(cp);
            prev[s] = s - 1;
            next[s] = s + 1 < n ? s + 1 : -1;
            i += len[s];
        }
        // highest score first; on equal scores the leftmost pair
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) ->
                a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int s = 1; s < n; s++) tryAdd(text, start, len, s - 1, s, queue);
        while (!queue.isEmpty()) {
            Bigram g = queue.poll();
            // skip pairs that a merge made stale
            if (len[g.left] == 0 || len[g.right] == 0 || len[g.left] + len[g.right] != g.size) continue;
            // merge right into left
            len[g.left] += len[g.right];
            len[g.right] = 0;
            next[g.left] = next[g.right];
            if (next[g.right] >= 0) prev[next[g.right]] = g.left;
            // the merged symbol may now merge with its neighbours
            if (prev[g.left] >= 0) tryAdd(text, start, len, prev[g.left], g.left, queue);
            if (next[g.left] >= 0) tryAdd(text, start, len, g.left, next[g.left], queue);
        }
        for (int s = 0; s >= 0 && n > 0; s = next[s]) emit(text, start[s], len[s], out);
    }

    private void tryAdd(String text, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        int size = len[left] + len[right];
        Integer id = ids.get(text.substring(start[left], start[left] + size));
        if (id == null) return;
        queue.add(new Bigram(vocab.scores()[id], left, right, size));
    }

    /**
     * A final symbol: its token, or (a character with no token) its UTF-8 bytes as byte tokens; when some byte has
     * no token, the unknown token once for the character, as SentencePiece does.
     */
    private void emit(String text, int from, int length, IntList out) {
        Integer id = ids.get(text.substring(from, from + length));
        if (id != null) {
            out.add(id);
            return;
        }
        byte[] bytes = Utf8.encode(text.codePointAt(from));
        for (byte b : bytes) {
            if (byteToken(b & 0xFF) < 0) {
                if (vocab.unk() < 0) {
                    throw new IllegalArgumentException("cannot tokenize '" + text.substring(from, from + length)
                            + "': the vocabulary has neither a token for byte 0x" + Integer.toHexString(b & 0xFF)
                            + " nor an unknown token");
                }
                out.add(vocab.unk());
                return;
            }
        }
        for (byte b : bytes) out.add(byteToken(b & 0xFF));
    }

    /** The token for one byte: its {@code <0xNN>} token, else (ASCII, like llama.cpp) the one-character token, else -1. */
    private int byteToken(int b) {
        if (byteTokens[b] >= 0) return byteTokens[b];
        if (b < 0x80) {
            Integer id = ids.get(String.valueOf((char) b));
            if (id != null) return id;
        }
        return -1;
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.." + (pieces.length - 1) + ")");
        }
        return pieces[id];
    }

    @Override public int vocabSize() { return pieces.length; }
    @Override public int bos() { return vocab.bos(); }
    @Override public int eos() { return vocab.eos(); }
}
