/**
 * The WGSL kernels and everything an engine needs to run them: {@link dev.kiln.shaders.Kernel} (roles, bindings,
 * workgroup sizes), {@link dev.kiln.shaders.Wgsl} (the preprocessor: precision prelude + weight prelude + kernel),
 * {@link dev.kiln.shaders.Params} (the Java mirror of every kernel's uniform) and {@link dev.kiln.shaders.StepUniform}.
 * Pure Java that TeaVM compiles; the WGSL text is embedded at build time. See {@code docs/kernels.md}.
 */
package dev.kiln.shaders;
