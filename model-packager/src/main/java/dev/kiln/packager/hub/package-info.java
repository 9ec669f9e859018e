/**
 * Hugging Face Hub downloads for {@code hf:ORG/NAME[@REVISION]} ids: resumable, checked, cached. API:
 * {@link dev.kiln.packager.hub.Hub#resolve} and {@link dev.kiln.packager.hub.Hub#fetch}; {@code Download} is internal.
 */
package dev.kiln.packager.hub;
