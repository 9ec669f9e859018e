/** {@code kiln inspect}: a model's architecture, size and estimated GPU memory, from an input or a package. */
package dev.kiln.packager.inspect;
