package dev.kiln.tokenizer;

/**
 * Text to token ids and back, built from a model's packaged {@link Vocabulary}. One implementation per tokenizer
 * family: SentencePiece BPE ("spm", merges by score) and byte-level BPE ("bpe", merges by rank, {@link ByteLevelBpe}).
 *
 * <p>Decoding works on bytes: {@link #tokenBytes} gives the raw bytes of one token and {@link #decode} joins them
 * before UTF-8 decoding, so a character split over several byte-fallback tokens comes out whole. For streaming, feed
 * {@link #tokenBytes} into a {@link Utf8Stream}.
 */
public sealed interface Tokenizer permits SentencePiece, ByteLevelBpe {

    /**
     * The tokenizer for a vocabulary, chosen by {@link Vocabulary#model()}; for a vocabulary that asks for NFC
     * ({@link Vocabulary#normalizer()}) use {@link #of(Vocabulary, Nfc)}.
     */
    static Tokenizer of(Vocabulary v) {
        return of(v, null);
    }

    /** The tokenizer for a vocabulary, with the platform's NFC normalization (may be null when the vocabulary needs none). */
    static Tokenizer of(Vocabulary v, Nfc nfc) {
        return switch (v.model()) {
            case "spm" -> {
                if (!v.normalizer().isEmpty()) {
                    throw new IllegalArgumentException("normalizer '" + v.normalizer() + "' is applied by byte-level BPE ('bpe') only,"
                            + " not by SentencePiece ('spm'): package the vocabulary without it");
                }
                yield new SentencePiece(v);
            }
            case "bpe" -> new ByteLevelBpe(v, nfc);
            default -> throw new IllegalArgumentException("unsupported tokenizer model '" + v.model() + "', expected spm or bpe");
        };
    }

    /** Token ids for a prompt, with BOS first when the vocabulary says so ({@link Vocabulary#addBos()}). */
    int[] encode(String text);

    /** Token ids for {@code text}, with BOS first only when {@code addBos} (and the vocabulary has one). */
    int[] encode(String text, boolean addBos);

    /**
     * Token ids for a rendered chat prompt (see {@code dev.kiln.chat.RenderedPrompt}): control tokens (the
     * vocabulary's special tokens, such as {@code <|im_start|>} or {@code <|eot_id|>}) and the added tokens the chat
     * template writes (such as Gemma's {@code <start_of_turn>}) are recognised as single ids only where their whole
     * text lies outside the {@code untrusted} [start, end) character ranges; elsewhere, as in a user message that
     * spells one, they are tokenized as ordinary text. Other user-defined tokens are matched anywhere, as usual. The text between control tokens is tokenized as a
     * whole, never split at trust boundaries. BOS is put first when the vocabulary asks for it
     * ({@link Vocabulary#addBos()}) and the prompt does not already start with it.
     */
    int[] encodePrompt(String text, int[] untrusted);

    /** {@code ids} with BOS in front when the vocabulary asks for one and they do not already start with it. */
    static int[] withBos(int[] ids, Vocabulary v) {
        if (!v.addBos() || v.bos() < 0 || (ids.length > 0 && ids[0] == v.bos())) return ids;
        int[] out = new int[ids.length + 1];
        out[0] = v.bos();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** The raw bytes token {@code id} stands for: empty for control tokens, one byte for byte tokens. */
    byte[] tokenBytes(int id);

    /** The text of a token sequence: all token bytes joined, then decoded as UTF-8 (U+FFFD for invalid bytes). */
    default String decode(int[] ids) {
        int n = 0;
        for (int id : ids) n += tokenBytes(id).length;
        byte[] all = new byte[n];
        int p = 0;
        for (int id : ids) {
            byte[] b = tokenBytes(id);
            System.arraycopy(b, 0, all, p, b.length);
            p += b.length;
        }
        return Utf8.decode(all, 0, n);
    }

    int vocabSize();

    /** Beginning-of-sequence id, -1 when the vocabulary has none. */
    int bos();

    /** End-of-sequence id, -1 when the vocabulary has none. */
    int eos();
}
