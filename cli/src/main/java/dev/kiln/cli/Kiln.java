package dev.kiln.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kiln}: the one command line. {@code ./kiln} (the launcher script) runs this class for every subcommand.
 * Subcommands are registered in {@link #commandLine()} — the one place to add one.
 */
@Command(name = "kiln", mixinStandardHelpOptions = true, version = "kiln 0.1.0",
        header = "Private LLM chat that runs entirely in the browser on WebGPU.",
        description = {"Run `kiln <command> --help` for a command's options.",
                "Exit codes: 0 ok, 1 bug, 2 usage, 3 bad input, 4 I/O (ports and files). Stack traces only with --verbose."},
        synopsisSubcommandLabel = "<command>")
public final class Kiln implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** The command tree. Add subcommands here (e.g. {@code generate}). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Kiln());
        cli.addSubcommand("serve", new ServeCommand());
        cli.addSubcommand("export", new ExportCommand());
        cli.addSubcommand("package", new PackageCommand());
        cli.addSubcommand("generate", new GenerateCommand());
        cli.addSubcommand("chat", new ChatCommand());
        cli.addSubcommand("bench", new BenchCommand());
        cli.addSubcommand("verify", new VerifyCommand());
        cli.addSubcommand("inspect", new InspectCommand());
        cli.setExecutionExceptionHandler(ExitCodes::report);
        cli.setExitCodeExceptionMapper(ExitCodes::of);
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
