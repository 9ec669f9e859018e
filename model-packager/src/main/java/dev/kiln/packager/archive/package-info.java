/**
 * Model archives (.tar, .tar.gz, .zip) read as streams with Apache Commons Compress. API:
 * {@link dev.kiln.packager.archive.Archive#openModel}; the rest is internal.
 */
package dev.kiln.packager.archive;
