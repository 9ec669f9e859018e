package dev.kiln.cli;

/**
 * A failure whose exit code the command already knows (the engine exited 3, Chromium is missing, …);
 * {@link ExitCodes#of} maps it to that code and the message is printed as the command's one error line.
 */
final class CommandFailure extends RuntimeException {
    final int exitCode;

    CommandFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
