/**
 * GGUF reading (versions 1–3) with bounded memory, the GGUF→Kiln tensor name table and the llama config and
 * tokenizer extraction. API: {@link dev.kiln.packager.gguf.GgufFile} for tools that inspect GGUF files;
 * the rest serves the packager.
 */
package dev.kiln.packager.gguf;
