/**
 * The packager: {@link dev.kiln.packager.Packager#pack} turns a model file into a packaged model
 * (docs/format.md). API used by the backend ({@code kiln serve}, {@code kiln package}) and by tests.
 */
package dev.kiln.packager;
