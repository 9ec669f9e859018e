package dev.kiln.packager.gguf;

import dev.kiln.packager.ModelFormatException;
import dev.kiln.quant.Half;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open GGUF file: its header (metadata and tensor infos) in memory, tensor data read on demand with positional
 * reads, so the whole file is never loaded. Malformed input is a {@link ModelFormatException} naming the file, the
 * key or tensor, and the problem; I/O failures are {@link IOException}s.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final GgufInput in;
    private final GgufReader.Header header;

    private GgufFile(Path path, FileChannel channel, GgufInput in, GgufReader.Header header) {
        this.path = path;
        this.channel = channel;
        this.in = in;
        this.header = header;
    }

    /** Opens and validates a GGUF file (versions 1–3). */
    public static GgufFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            GgufInput in = new GgufInput(channel, path.getFileName().toString());
            return new GgufFile(path, channel, in, GgufReader.read(in));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path path() { return path; }

    /** GGUF version, 1–3. */
    public int version() { return header.version(); }

    /** Alignment of tensor data ({@code general.alignment}, default 32). */
    public long alignment() { return header.alignment(); }

    /** Absolute offset where tensor data begins. */
    public long dataOffset() { return header.dataOffset(); }

    /** Every metadata value in file order, represented as {@link GgufValueType} describes. */
    public Map<String, Object> metadata() { return header.metadata(); }

    /** The declared type of a metadata value, if the key is present. */
    public Optional<GgufValueType> type(String key) { return Optional.ofNullable(header.types().get(key)); }

    /** Tensor infos in file order. */
    public List<GgufTensor> tensors() { return header.tensors(); }

    public Optional<GgufTensor> tensor(String name) {
        for (GgufTensor t : header.tensors()) if (t.name().equals(name)) return Optional.of(t);
        return Optional.empty();
    }

    // ---- typed metadata ----

    public boolean has(String key) { return header.metadata().containsKey(key); }

    public String string(String key) { return (String) require(key, String.class, "a string"); }

    public Optional<String> optString(String key) { return has(key) ? Optional.of(string(key)) : Optional.empty(); }

    /** An integer value of any integer type, which must fit an int. */
    public int integer(String key) {
        long v = (Long) require(key, Long.class, "an integer");
        if (v != (int) v) throw bad(key, "value " + Long.toUnsignedString(v) + " does not fit a 32-bit int");
        return (int) v;
    }

    public Optional<Integer> optInteger(String key) { return has(key) ? Optional.of(integer(key)) : Optional.empty(); }

    /** A raw integer value (unsigned 64-bit values keep their bits). */
    public Optional<Long> optLong(String key) {
        return has(key) ? Optional.of((Long) require(key, Long.class, "an integer")) : Optional.empty();
    }

    /** A FLOAT32 or FLOAT64 value (an integer is accepted too). */
    public double number(String key) {
        Object v = header.metadata().get(key);
        if (v instanceof Float f) return f;
        if (v instanceof Double d) return d;
        if (v instanceof Long l) return l;
        return (Double) require(key, Double.class, "a number");
    }

    public Optional<Double> optNumber(String key) { return has(key) ? Optional.of(number(key)) : Optional.empty(); }

    public Optional<Boolean> optBool(String key) {
        return has(key) ? Optional.of((Boolean) require(key, Boolean.class, "a bool")) : Optional.empty();
    }

    public GgufArray array(String key) { return (GgufArray) require(key, GgufArray.class, "an array"); }

    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        for (Object o : array(key).values()) {
            if (!(o instanceof String s)) throw bad(key, "expected an array of strings, found an element " + o);
            out.add(s);
        }
        return out;
    }

    public float[] floats(String key) {
        List<Object> v = array(key).values();
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            Object o = v.get(i);
            if (o instanceof Float f) out[i] = f;
            else if (o instanceof Double d) out[i] = d.floatValue();
            else throw bad(key, "expected an array of numbers, element " + i + " is " + o);
        }
        return out;
    }

    public int[] ints(String key) {
        List<Object> v = array(key).values();
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(v.get(i) instanceof Long l) || l != (int) (long) l) {
                throw bad(key, "expected an array of 32-bit integers, element " + i + " is " + v.get(i));
            }
            out[i] = (int) (long) l;
        }
        return out;
    }

    private Object require(String key, Class<?> kind, String what) {
        Object v = header.metadata().get(key);
        if (v == null) throw bad(key, "is missing");
        if (!kind.isInstance(v)) throw bad(key, "is " + header.types().get(key) + ", expected " + what);
        return v;
    }

    private ModelFormatException bad(String key, String problem) {
        return new ModelFormatException(path.getFileName() + ": metadata key '" + key + "' " + problem);
    }

    // ---- tensor data ----

    /** The raw bytes of a tensor as stored in the file (at most 2 GiB per tensor). */
    public byte[] read(GgufTensor t) throws IOException {
        if (t.bytes() > Integer.MAX_VALUE - 16) {
            throw new ModelFormatException(path.getFileName() + ": tensor '" + t.name() + "' has " + t.bytes()
                    + " bytes; Kiln reads tensors of at most 2 GiB");
        }
        in.context = "tensor '" + t.name() + "'";
        return in.readAt(t.offset(), (int) t.bytes());
    }

    /** A tensor's values as f32 (dequantized where it is quantized). */
    public float[] readFloats(GgufTensor t) throws IOException {
        return toFloats(t.type(), read(t), t.elements());
    }

    /** Decodes {@code n} elements of GGML type {@code type} from {@code b}. */
    public static float[] toFloats(GgmlType type, byte[] b, long n) {
        float[] out = new float[Math.toIntExact(n)];
        switch (type) {
            case F32 -> { for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat(le32(b, 4 * i)); }
            case F16 -> { for (int i = 0; i < out.length; i++) out[i] = Half.toFloat(le16(b, 2 * i)); }
            case BF16 -> { for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat(le16(b, 2 * i) << 16); }
            case Q8_0 -> {
                // block: f16 d, 32 int8 q; value = d * q
                for (int g = 0; g < out.length / 32; g++) {
                    float d = Half.toFloat(le16(b, 34 * g));
                    for (int j = 0; j < 32; j++) out[32 * g + j] = d * b[34 * g + 2 + j];
                }
            }
            case Q4_0 -> {
                // block: f16 d, 16 bytes; byte j = q[j] | q[j+16] << 4; value = d * (q - 8)
                for (int g = 0; g < out.length / 32; g++) {
                    float d = Half.toFloat(le16(b, 18 * g));
                    for (int j = 0; j < 16; j++) {
                        int v = b[18 * g + 2 + j] & 0xff;
                        out[32 * g + j] = d * ((v & 0xf) - 8);
                        out[32 * g + j + 16] = d * ((v >>> 4) - 8);
                    }
                }
            }
        }
        return out;
    }

    static int le16(byte[] b, int p) { return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8; }

    static int le32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    @Override
    public void close() throws IOException { channel.close(); }
}
