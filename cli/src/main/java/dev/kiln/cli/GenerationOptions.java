package dev.kiln.cli;

import dev.kiln.generate.GenerationRequest;
import dev.kiln.generate.InvalidRequestException;
import picocli.CommandLine.Option;

/**
 * The sampling options of a generation. Their defaults are {@link GenerationRequest}'s, the same the engine applies
 * to a request that leaves a field out; {@link #request} builds the one request object that is sent to the engine.
 */
final class GenerationOptions {

    @Option(names = "--max-tokens", paramLabel = "<n>", description = "tokens to generate at most (default: ${DEFAULT-VALUE})")
    int maxTokens = GenerationRequest.DEFAULT_MAX_TOKENS;

    @Option(names = "--temperature", paramLabel = "<t>", description = "sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature = GenerationRequest.DEFAULT_TEMPERATURE;

    @Option(names = "--top-k", paramLabel = "<k>", description = "sample among the k most likely tokens; 0 = off (default: ${DEFAULT-VALUE})")
    int topK = GenerationRequest.DEFAULT_TOP_K;

    @Option(names = "--top-p", paramLabel = "<p>", description = "nucleus sampling mass; 1 = off (default: ${DEFAULT-VALUE})")
    float topP = GenerationRequest.DEFAULT_TOP_P;

    @Option(names = "--seed", paramLabel = "<s>", description = "random seed: same seed, same tokens (default: ${DEFAULT-VALUE})")
    long seed = GenerationRequest.DEFAULT_SEED;

    @Option(names = "--ignore-eos", description = "keep generating past the end-of-sequence token")
    boolean ignoreEos = GenerationRequest.DEFAULT_IGNORE_EOS;

    @Option(names = "--stop", paramLabel = "<text>", description = "a text that ends the reply, not shown (repeatable, up to 4)")
    java.util.List<String> stop = new java.util.ArrayList<>();

    @Option(names = "--repetition-penalty", paramLabel = "<r>", description = "divide the logits of tokens already seen by r (1 = off; default: ${DEFAULT-VALUE})")
    float repetitionPenalty = GenerationRequest.DEFAULT_REPETITION_PENALTY;

    @Option(names = "--frequency-penalty", paramLabel = "<f>", description = "subtract f per occurrence in the reply (-2..2, 0 = off; default: ${DEFAULT-VALUE})")
    float frequencyPenalty = GenerationRequest.DEFAULT_FREQUENCY_PENALTY;

    @Option(names = "--presence-penalty", paramLabel = "<p>", description = "subtract p once a token occurs in the reply (-2..2, 0 = off; default: ${DEFAULT-VALUE})")
    float presencePenalty = GenerationRequest.DEFAULT_PRESENCE_PENALTY;

    /** The request for this prompt; a value out of range is bad input naming its option ({@code --top-p must be …}). */
    GenerationRequest request(String prompt) {
        return build(prompt, null);
    }

    /** The request for this conversation (rendered by the model's chat template). */
    GenerationRequest chat(java.util.List<GenerationRequest.Message> messages) {
        return build(null, messages);
    }

    private GenerationRequest build(String prompt, java.util.List<GenerationRequest.Message> messages) {
        try {
            return new GenerationRequest(prompt, null, maxTokens, temperature, topK, topP, seed, ignoreEos, messages, stop,
                    repetitionPenalty, frequencyPenalty, presencePenalty, false);
        } catch (InvalidRequestException e) {
            String option = "--" + e.parameter().replace('_', '-');
            throw new InvalidRequestException(e.parameter(), option + ": " + e.getMessage());
        }
    }
}
