package dev.kiln.generate;

/**
 * A generation request with a value out of range or of the wrong kind. {@link #parameter()} is the JSON field name
 * ({@code max_tokens}, {@code top_p}, …) so each front end can name it its own way ({@code --max-tokens} on the
 * command line); the message already names it.
 */
public final class InvalidRequestException extends IllegalArgumentException {
    private final String parameter;

    public InvalidRequestException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The JSON field name of the offending value, e.g. {@code top_p}. */
    public String parameter() { return parameter; }
}
