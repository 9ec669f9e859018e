/**
 * Test support, not an API: writers of synthetic model files (Hugging Face checkpoints, GGUF) that follow the
 * formats' specs independently of the packager's readers.
 */
package dev.kiln.testsupport;
