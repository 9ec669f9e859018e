package dev.kiln.packager.hub;

import java.io.IOException;

/** A download from the hub failed in a way retrying will not fix (not found, refused, corrupted); the message says what to do. */
public class HubException extends IOException {
    public HubException(String message) { super(message); }
}
