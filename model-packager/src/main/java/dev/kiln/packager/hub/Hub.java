package dev.kiln.packager.hub;

import dev.kiln.packager.Packager;
import dev.kiln.packager.hf.HfSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Downloads a Hugging Face model from the hub ({@code hf:ORG/NAME[@REVISION]}) into a local cache and returns the
 * folder, ready for {@link Packager#pack}. Only the files Kiln reads are fetched: config.json, tokenizer.json and the
 * safetensors weights (required), generation_config.json, tokenizer_config.json and the index (when present).
 * Each file is fetched by {@link Download}: resumable, size- and SHA-256-checked where the hub says them.
 *
 * <p>Cache: {@code $KILN_CACHE} or {@code ~/.cache/kiln/hub}, then {@code ORG/NAME@REVISION/FILE}. Endpoint:
 * {@code --hub-url}, else {@code $HF_ENDPOINT}, else https://huggingface.co. Token: {@code $HF_TOKEN}, sent as
 * {@code Authorization: Bearer} to the hub (not to the storage host it redirects to).
 */
public final class Hub {
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    /**
     * @param endpoint the hub's base URL
     * @param token    HF_TOKEN, or null
     * @param cache    the download cache root
     */
    public record Options(URI endpoint, String token, Path cache) {
        /** From the environment: HF_ENDPOINT (unless {@code hubUrl} is given), HF_TOKEN, KILN_CACHE. */
        public static Options fromEnvironment(URI hubUrl) {
            String env = System.getenv("HF_ENDPOINT");
            URI endpoint = hubUrl != null ? hubUrl : env != null && !env.isBlank() ? URI.create(env.trim()) : DEFAULT_ENDPOINT;
            String token = System.getenv("HF_TOKEN");
            String cache = System.getenv("KILN_CACHE");
            Path root = cache != null && !cache.isBlank() ? Path.of(cache)
                    : Path.of(System.getProperty("user.home"), ".cache", "kiln", "hub");
            return new Options(endpoint, token == null || token.isBlank() ? null : token.trim(), root);
        }
    }

    private final Options options;
    private final Download download;

    public Hub(Options options, Packager.Progress progress) {
        this.options = options;
        this.download = new Download(options.token(), progress);
    }

    /** Downloads (or finds in the cache) what Kiln needs of {@code id}; returns the local folder. */
    public Path fetch(HubId id) throws IOException {
        Path dir = options.cache().resolve(id.org()).resolve(id.name() + "@" + id.revision().replace("/", "_"));
        Files.createDirectories(dir);
        require(id, dir, HfSource.CONFIG);
        require(id, dir, HfSource.TOKENIZER);
        optional(id, dir, HfSource.TOKENIZER_CONFIG);
        optional(id, dir, HfSource.GENERATION_CONFIG);
        if (optional(id, dir, HfSource.INDEX)) {
            for (String shard : shards(dir.resolve(HfSource.INDEX))) require(id, dir, shard);
        } else {
            require(id, dir, HfSource.SINGLE);
        }
        return dir;
    }

    private void require(HubId id, Path dir, String file) throws IOException {
        if (!optional(id, dir, file)) {
            throw new HubException(id + " has no " + file + " (" + url(id, file) + " answered 404): Kiln packages Hugging Face"
                    + " transformers checkpoints with safetensors weights; check the name and revision");
        }
    }

    /** True when the file is now in the cache, false when the hub has no such file. */
    private boolean optional(HubId id, Path dir, String file) throws IOException {
        return download.fetch(url(id, file), dir.resolve(file), id + " " + file);
    }

    private URI url(HubId id, String file) {
        String base = options.endpoint().toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + id.resolvePath(file));
    }

    private static List<String> shards(Path index) throws IOException {
        JsonNode map = new ObjectMapper().readTree(Files.readAllBytes(index)).path("weight_map");
        TreeSet<String> files = new TreeSet<>();
        for (JsonNode f : map.values()) {
            String s = f.asString("");
            if (s.isEmpty() || s.contains("/") || s.contains("\\") || s.startsWith(".")) {
                throw new HubException(index + " names the file '" + s + "', expected a plain name beside it");
            }
            files.add(s);
        }
        if (files.isEmpty()) throw new HubException(index + " has no weight_map");
        return new ArrayList<>(files);
    }

    /** A hub id as a local folder (downloaded with progress), or the path itself for anything else. */
    public static Path resolve(String input, URI hubUrl, Packager.Progress progress) throws IOException {
        if (!HubId.isHubId(input)) return Path.of(input);
        return new Hub(Options.fromEnvironment(hubUrl), progress).fetch(HubId.parse(input));
    }
}
