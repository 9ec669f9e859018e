/**
 * Hugging Face checkpoints: safetensors headers ({@link dev.kiln.packager.hf.Safetensors}), config.json
 * ({@link dev.kiln.packager.hf.HfConfig}), the one name table ({@link dev.kiln.packager.hf.HfNames}), tokenizer.json
 * ({@link dev.kiln.packager.hf.HfTokenizer}) and the {@link dev.kiln.packager.ModelSource} over them
 * ({@link dev.kiln.packager.hf.HfSource}). API: {@code HfSource.open(new DirFiles(dir))}; the rest is internal.
 */
package dev.kiln.packager.hf;
