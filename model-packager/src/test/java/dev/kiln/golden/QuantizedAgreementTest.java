package dev.kiln.golden;

import dev.kiln.model.DType;
import dev.kiln.packager.Quant;
import dev.kiln.packager.Shared;
import dev.kiln.reference.CpuModel;
import dev.kiln.sample.Sampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --quant q4} packaging of the F32 stories260K, checked by teacher forcing: feed a golden sequence and compare
 * the argmax at every generated position with the golden id; agreement is required wherever the reference's
 * top-1/top-2 gap exceeds 0.05 (elsewhere a slightly different model may legitimately pick the other token).
 *
 * <p>The reference is {@code stories260K-q4_0.golden.json}: the same weights quantized to 4 bits independently (a
 * separate GGUF Q4_0 writer; exact f32 math). Our q4 of the F32 model differs from that file in a few quants per
 * tensor (rounding at group boundaries) and keeps ffn_down in f16 instead of f32, so it is a close but not identical
 * model. The F32 golden ids are not a fair target: 4-bit weights change this 260K-parameter model's logits by up to
 * ~9 (measured below), and its story after a few dozen tokens; that agreement is reported, not required.
 */
class QuantizedAgreementTest {
    private static final double GAP = 0.05;

    @TempDir Path tmp;

    @Test
    void q4PackagingOfTheF32ModelAgreesTeacherForcedWithTheQ4_0GoldenWhereTheGapExceeds005() throws IOException {
        Path gguf = Shared.stories("stories260K.gguf");
        Packaged q4 = Packaged.pack(gguf, tmp.resolve("q4"), Quant.Q4);
        assertTrue(q4.manifest().tensors().stream().anyMatch(t -> t.dtype() == DType.Q4), "the package holds q4 tensors");
        CpuModel quantized = q4.cpu();

        Agreement vsQ4 = teacherForced(quantized, Golden.read(Shared.stories("stories260K-q4_0.golden.json")),
                Packaged.pack(Shared.stories("stories260K-q4_0.gguf"), tmp.resolve("q4_0"), Quant.KEEP).cpu());
        Agreement vsF32 = teacherForced(quantized, Golden.read(Shared.stories("stories260K.golden.json")),
                Packaged.pack(gguf, tmp.resolve("f32"), Quant.KEEP).cpu());
        System.out.println("q4 packaging of the F32 model, teacher-forced: vs the Q4_0 golden " + vsQ4
                + "; vs the F32 golden " + vsF32 + " (informational)");
        assertTrue(vsQ4.failures.isEmpty(), "disagreements with the Q4_0 golden where its gap exceeds " + GAP + ": " + vsQ4.failures);
    }

    /** Argmax agreement with the golden ids, and the largest logit difference from {@code reference}'s logits. */
    private record Agreement(int agree, int total, double maxDiff, List<String> failures) {
        @Override public String toString() {
            return agree + "/" + total + " argmax agree, largest logit difference " + String.format("%.4f", maxDiff)
                    + " from the CPU reference on that model";
        }
    }

    private static Agreement teacherForced(CpuModel model, Golden golden, CpuModel reference) {
        List<String> failures = new ArrayList<>();
        int agree = 0, total = 0;
        double maxDiff = 0;
        for (Golden.Case c : golden.cases()) {
            model.reset();
            reference.reset();
            int[] seq = concat(c.promptIds(), c.genIds());
            int first = c.promptIds().length - 1; // the position whose logits predict genIds[0]
            for (int pos = 0; pos < seq.length - 1; pos++) {
                float[] lm = model.forward(seq[pos], pos);
                float[] lr = reference.forward(seq[pos], pos);
                if (pos < first) continue;
                int step = pos - first;
                for (int i = 0; i < lm.length; i++) maxDiff = Math.max(maxDiff, Math.abs(lm[i] - lr[i]));
                int got = Sampler.argmax(lm, lm.length);
                total++;
                if (got == c.genIds()[step]) agree++;
                else if (c.gaps()[step] > GAP) failures.add(c + " step " + step + ": " + got + " instead of "
                        + c.genIds()[step] + " (gap " + c.gaps()[step] + ")");
            }
        }
        return new Agreement(agree, total, maxDiff, failures);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
