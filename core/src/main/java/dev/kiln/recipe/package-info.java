/**
 * The forward recipe: the ordered stages of one position (op, activations, weights), derived from a model's config.
 * The CPU reference executes it, the GPU engine compiles it to dispatches, and step-by-step comparisons walk it.
 */
package dev.kiln.recipe;
