/**
 * Random-weight models of real shapes for benchmarks ({@code kiln bench --synthetic}): no download, exact dimensions.
 * Not an API.
 */
package dev.kiln.packager.synthetic;
