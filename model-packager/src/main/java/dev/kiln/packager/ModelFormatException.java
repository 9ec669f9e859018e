package dev.kiln.packager;

/**
 * The input model file is malformed or uses something Kiln does not support. The message names the file, the
 * tensor or metadata key, the problem and what to do next; the command line maps it to exit code 3 (bad input).
 */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(String message) { super(message); }
}
