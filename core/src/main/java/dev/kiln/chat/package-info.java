/**
 * Chat prompts: Hugging Face chat templates (a Jinja2 subset, rendered exactly as {@code transformers}'
 * {@code apply_chat_template} renders them), the trust marks that keep user text from spelling special tokens, and
 * the stop conditions that end a reply. Public API: {@link dev.kiln.chat.ChatTemplate},
 * {@link dev.kiln.chat.ChatInputs}, {@link dev.kiln.chat.RenderedPrompt}, {@link dev.kiln.chat.TemplateException},
 * {@link dev.kiln.chat.StopConditions}; the other classes are the interpreter's internals.
 */
package dev.kiln.chat;
