package dev.kiln.recipe;

/** A tensor a {@link Stage} reads, by its canonical name, with the shape the config implies ({@code rows × cols}). */
public record Weight(String tensor, int rows, int cols) {
    /** A 1-D tensor (norm weight, bias) of {@code n} values. */
    public static Weight vector(String tensor, int n) { return new Weight(tensor, 1, n); }
}
