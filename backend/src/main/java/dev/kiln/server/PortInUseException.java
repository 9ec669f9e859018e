package dev.kiln.server;

/** The server could not listen because another process holds the address. */
public final class PortInUseException extends RuntimeException {
    public PortInUseException(String host, int port, Throwable cause) {
        super("port " + port + " on " + host + " is already in use: stop the other server or choose another port with --port", cause);
    }
}
