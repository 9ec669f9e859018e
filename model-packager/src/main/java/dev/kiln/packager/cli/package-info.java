/** The {@code package} subcommand (picocli), registered by the backend's top-level {@code Kiln} command. */
package dev.kiln.packager.cli;
