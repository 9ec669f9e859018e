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

    /** The request for this prompt; a value out of range is bad input naming its option ({@code --top-p must be …}). */
    GenerationRequest request(String prompt) {
        try {
            return new GenerationRequest(prompt, null, maxTokens, temperature, topK, topP, seed, ignoreEos);
        } catch (InvalidRequestException e) {
            String option = "--" + e.parameter().replace('_', '-');
            throw new InvalidRequestException(e.parameter(), option + ": " + e.getMessage());
        }
    }
}
