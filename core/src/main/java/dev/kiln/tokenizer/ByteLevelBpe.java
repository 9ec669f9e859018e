package dev.kiln.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-level BPE (GPT-2, Llama 3, Qwen2, SmolLM2) as Hugging Face tokenizers and llama.cpp's {@code llm_tokenizer_bpe}
 * run it:
 * <ol>
 * <li>added tokens are cut out of the text first, longest first (user-defined ones always; control/special ones
 *   only with {@code parseSpecial}, llama.cpp's parse_special);</li>
 * <li>each remaining section is NFC-normalized where the vocabulary says so, gets a space prefix where it says so,
 *   and is cut into pieces by the pre-tokenizer regexes ({@link PreTokenizer});</li>
 * <li>each piece becomes its UTF-8 bytes, one symbol per byte (the token spelling that byte in GPT-2's alphabet,
 *   {@link ByteLevel}), and the adjacent pair with the lowest merge rank is merged until no pair has a rule
 *   (leftmost first on equal ranks). With {@link Vocabulary#ignoreMerges()} a piece that is itself a token is
 *   emitted whole.</li>
 * </ol>
 * Symbols are token ids and the merge rules an int-keyed table ({@link MergeTable}): no strings are built per merge,
 * and the regexes are compiled once, here, which keeps the TeaVM builds fast.
 *
 * <p>Decoding maps each token's characters back to bytes; user-defined tokens are their text, control tokens
 * nothing (llama.cpp's token_to_piece with special=false).
 */
public final class ByteLevelBpe implements Tokenizer {
    private final Vocabulary vocab;
    private final Map<String, Integer> ids = new HashMap<>(); // token text -> id (a later duplicate wins, as in llama.cpp)
    private final int[] byteIds = new int[256];              // byte -> id of the token spelling it, -1 when none
    private final MergeTable merges;
    private final PreTokenizer pre;
    private final Nfc nfc;                                    // null when the vocabulary asks for no normalizer
    private final byte[][] pieces;                            // (vocab) token bytes for decoding
    private final List<String> userDefined = new ArrayList<>(); // matched before BPE, longest first
    private final List<String> special = new ArrayList<>();     // user-defined and control: with parseSpecial
    private final List<String> structural;                      // a prompt's trusted ranges only (TokenPartition.structural)
    private final List<String> plainUserDefined;                // user-defined but not structural: anywhere in a prompt

    ByteLevelBpe(Vocabulary v, Nfc nfc) {
        if (!v.model().equals("bpe")) throw new IllegalArgumentException("ByteLevelBpe needs a 'bpe' vocabulary, got '" + v.model() + "'");
        if (v.normalizer().equals(Vocabulary.NFC) && nfc == null) {
            throw new IllegalArgumentException("this vocabulary asks for NFC normalization: build it with Tokenizer.of(vocab, nfc)"
                    + " and the platform's NFC (String.prototype.normalize in the browser, java.text.Normalizer on the JVM)");
        }
        this.vocab = v;
        this.nfc = v.normalizer().isEmpty() ? null : nfc;
        this.pre = new PreTokenizer(v.pre());
        int n = v.size();
        pieces = new byte[n][];
        for (int id = 0; id < n; id++) {
            String text = v.tokens().get(id);
            int type = v.types()[id];
            ids.put(text, id);
            pieces[id] = piece(text, type);
            if (text.isEmpty()) continue;
            if (type == Vocabulary.USER_DEFINED) userDefined.add(text);
            if (type == Vocabulary.USER_DEFINED || type == Vocabulary.CONTROL) special.add(text);
        }
        structural = TokenPartition.structural(v);
        plainUserDefined = TokenPartition.without(userDefined, structural);
        userDefined.sort((a, b) -> b.length() - a.length());
        special.sort((a, b) -> b.length() - a.length());
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevel.charOf(b)));
            byteIds[b] = id != null ? id : -1;
        }
        merges = new MergeTable(v.merges().size());
        for (int r = 0; r < v.merges().size(); r++) {
            String m = v.merges().get(r);
            int cut = m.indexOf(' ', 1); // a token never starts with a space here; llama.cpp cuts the same way
            if (cut < 0) throw new IllegalArgumentException("merge " + r + " is '" + m + "', expected two tokens separated by a space");
            String a = m.substring(0, cut), b = m.substring(cut + 1);
            Integer ia = ids.get(a), ib = ids.get(b), iab = ids.get(a + b);
            if (ia == null || ib == null || iab == null) {
                throw new IllegalArgumentException("merge " + r + " '" + m + "' names a token that is not in the vocabulary ('"
                        + (ia == null ? a : ib == null ? b : a + b) + "')");
            }
            merges.put(ia, ib, r, iab);
        }
    }

    /** The bytes a token decodes to. */
    private static byte[] piece(String text, int type) {
        switch (type) {
            case Vocabulary.CONTROL, Vocabulary.UNKNOWN, Vocabulary.UNUSED: return new byte[0];
            case Vocabulary.USER_DEFINED: return utf8(text);
            default: {
                byte[] b = ByteLevel.bytes(text);
                return b != null ? b : utf8(text); // a token outside the byte alphabet stands for its own text
            }
        }
    }

    @Override public int[] encode(String text) { return encode(text, vocab.addBos(), false); }

    @Override public int[] encode(String text, boolean addBos) { return encode(text, addBos, false); }

    /**
     * Token ids for {@code text}; with {@code parseSpecial} the text of a control token (such as
     * {@code <|im_start|>} in a rendered chat template) becomes that token instead of being spelled out.
     */
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        IntList out = new IntList();
        if (addBos && vocab.bos() >= 0) out.add(vocab.bos());
        encodeParts(TokenPartition.partition(text, parseSpecial ? special : userDefined, ids), out);
        return out.toArray();
    }

    @Override
    public int[] encodePrompt(String text, int[] untrusted) {
        IntList out = new IntList();
        for (Object part : TokenPartition.partitionTrusted(text, untrusted, structural, ids)) {
            if (part instanceof Integer id) out.add(id);
            else encodeParts(TokenPartition.partition((String) part, plainUserDefined, ids), out);
        }
        return Tokenizer.withBos(out.toArray(), vocab);
    }

    /** Cut-out token ids as they are, text sections through normalization, pre-tokenization and BPE. */
    private void encodeParts(List<Object> parts, IntList out) {
        BpeScratch w = new BpeScratch();
        List<String> words = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof Integer id) {
                out.add(id);
                continue;
            }
            String section = (String) part;
            if (nfc != null) section = nfc.normalize(section);
            if (vocab.addSpacePrefix() && !section.startsWith(" ")) section = " " + section;
            words.clear();
            pre.split(section, words);
            for (String word : words) word(word, w, out);
        }
    }

    /** One pre-token: its bytes as symbols, merged by rank, appended to {@code out}. */
    private void word(String word, BpeScratch w, IntList out) {
        int n = w.bytes(word);
        if (vocab.ignoreMerges()) {
            StringBuilder spelled = new StringBuilder(n);
            for (int i = 0; i < n; i++) spelled.append(ByteLevel.charOf(w.bytes[i] & 0xFF));
            Integer id = ids.get(spelled.toString());
            if (id != null) {
                out.add(id);
                return;
            }
        }
        int[] sym = w.symbols(n), prev = w.prev, next = w.next;
        for (int i = 0; i < n; i++) {
            sym[i] = byteIds[w.bytes[i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        w.heapSize = 0;
        for (int i = 0; i + 1 < n; i++) offer(w, i, i + 1);
        // lowest rank first; a popped pair is stale when either side was merged since it was queued
        while (w.heapSize > 0) {
            int slot = w.pollSlot(), l = w.polledLeft, r = w.polledRight;
            if (sym[l] < 0 || sym[r] < 0 || next[l] != r || sym[l] != w.polledA || sym[r] != w.polledB) continue;
            sym[l] = merges.merged(slot);
            sym[r] = -2; // gone
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            if (prev[l] >= 0) offer(w, prev[l], l);
            if (next[l] >= 0) offer(w, l, next[l]);
        }
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            if (sym[i] >= 0) {
                out.add(sym[i]);
            } else if (vocab.unk() >= 0) {
                out.add(vocab.unk());
            } else {
                throw new IllegalArgumentException("cannot tokenize '" + word + "': byte 0x" + Integer.toHexString(w.bytes[i] & 0xFF)
                        + " has no token in this byte-level vocabulary and there is no unknown token");
            }
        }
    }

    private void offer(BpeScratch w, int l, int r) {
        int a = w.sym[l], b = w.sym[r];
        if (a < 0 || b < 0) return;
        int slot = merges.find(a, b);
        if (slot >= 0) w.push(merges.rank(slot), l, r, a, b, slot);
    }

    private static byte[] utf8(String s) {
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
