package dev.kiln.cli;

import dev.kiln.json.JsonException;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.server.PortInUseException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;

/**
 * Exit codes of every {@code kiln} command, mapped from failures in this one place:
 * <pre>
 *   0 ok · 1 bug (an exception nobody expected) · 2 usage (bad arguments) · 3 bad input (a malformed or unsupported
 *   model, a value out of range) · 4 I/O (files, ports)
 * </pre>
 * A {@link CommandFailure} carries a code its command already knows (the engine's exit status in Node, a missing
 * browser). Failures print one line, {@code kiln <command>: error: <message>}; the stack trace only with
 * {@code --verbose}.
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int BUG = 1;
    public static final int USAGE = 2;
    public static final int BAD_INPUT = 3;
    public static final int IO = 4;

    private ExitCodes() {}

    public static int of(Throwable e) {
        if (e instanceof CommandFailure f) return f.exitCode;
        if (e instanceof CommandLine.ParameterException || e instanceof FileAlreadyExistsException) return USAGE;
        if (e instanceof ModelFormatException || e instanceof JsonException || e instanceof IllegalArgumentException) return BAD_INPUT;
        if (e instanceof PortInUseException || e instanceof IOException || e instanceof UncheckedIOException) return IO;
        return BUG;
    }

    /** picocli's execution-exception handler: one line (plus the trace with --verbose), then the mapped code. */
    static int report(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        int code = of(e);
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (code == BUG && !(e instanceof CommandFailure)) message = "unexpected " + e + " (a bug: please report it with the --verbose output)";
        err.println("kiln " + cmd.getCommandName() + ": error: " + message);
        if (verbose(parsed)) e.printStackTrace(err);
        err.flush();
        return code;
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) return true;
        }
        return false;
    }
}
