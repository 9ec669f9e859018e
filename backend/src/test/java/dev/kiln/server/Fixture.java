package dev.kiln.server;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import io.javalin.Javalin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A real server on an ephemeral loopback port over a synthetic site and a synthetic packaged model, built in a
 * temp folder:
 * <pre>
 *   tmp/site/    index.html, app.js, app.mjs, style.css, engine.wasm, favicon.svg, data.bin (1000 bytes),
 *                lib-0123456789abcdef.js (hash-named), sub/page.html, .hidden, empty.txt,
 *                escape.txt → ../outside/secret.txt, escdir → ../outside (symlinks leading out)
 *   tmp/outside/ secret.txt  (holds SECRET: no response may ever contain it)
 *   tmp/tiny/    manifest.json, shard-00000-&lt;hex&gt;.bin, tokenizer-&lt;hex&gt;.json, notes.txt (not in the manifest)
 * </pre>
 */
final class Fixture implements AutoCloseable {

    static final String SECRET = "TOP-SECRET-OUTSIDE-THE-ROOTS";
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final Path tmp;
    final Path site;
    final Path model;
    final Manifest manifest;
    final Javalin app;
    final ModelCatalog catalog;
    final String base;

    private Fixture(Path tmp, Path site, Path model, Manifest manifest, ModelCatalog catalog, Javalin app) {
        this.tmp = tmp;
        this.site = site;
        this.model = model;
        this.manifest = manifest;
        this.catalog = catalog;
        this.app = app;
        this.base = "http://127.0.0.1:" + app.port();
    }

    static Fixture start(Path tmp) throws IOException {
        return start(tmp, c -> c);
    }

    static Fixture start(Path tmp, UnaryOperator<ServerConfig> tweak) throws IOException {
        Path site = writeSite(tmp);
        Path model = tmp.resolve("tiny");
        Manifest manifest = writeTinyModel(model);
        ServerConfig config = tweak.apply(ServerConfig.defaults().withPort(0).withSiteDir(site)
                .withModels(List.of(model), List.of()).withCacheDir(tmp.resolve("cache")));
        ModelCatalog catalog = ModelCatalog.prepare(config);
        Javalin app = Server.start(Server.create(config, catalog), config);
        return new Fixture(tmp, site, model, manifest, catalog, app);
    }

    @Override
    public void close() {
        app.stop();
    }

    String shardUrl() { return "/models/tiny/" + manifest.shards().get(0).file(); }

    byte[] shardBytes() throws IOException { return Files.readAllBytes(model.resolve(manifest.shards().get(0).file())); }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, headers);
    }

    HttpResponse<byte[]> send(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The whole response (status line, headers, body) to a request line sent as raw bytes, unnormalized. */
    String raw(String rawPath) throws IOException {
        try (Socket s = new Socket("127.0.0.1", app.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static int rawStatus(String response) {
        if (!response.startsWith("HTTP/1.1 ")) throw new AssertionError("not an HTTP response: " + response);
        return Integer.parseInt(response.substring(9, 12));
    }

    static Path writeSite(Path tmp) throws IOException {
        Path site = tmp.resolve("site");
        Path outside = tmp.resolve("outside");
        Files.createDirectories(site.resolve("sub"));
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        String text = "Kiln runs a language model in this tab. ".repeat(50);
        Files.writeString(site.resolve("index.html"), "<!doctype html><title>Kiln</title><script type=module src=app.js></script><p>" + text);
        Files.writeString(site.resolve("app.js"), "// app\nconsole.log('" + text + "');\n");
        Files.writeString(site.resolve("app.mjs"), "export const text = '" + text + "';\n");
        Files.writeString(site.resolve("style.css"), "body { font-family: sans-serif; }\n/* " + text + " */\n");
        Files.writeString(site.resolve("favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'><rect width='1' height='1'/></svg>");
        Files.writeString(site.resolve("lib-0123456789abcdef.js"), "export const lib = 1;\n");
        Files.writeString(site.resolve("sub/page.html"), "<!doctype html><p>sub page");
        Files.writeString(site.resolve(".hidden"), SECRET);
        Files.write(site.resolve("empty.txt"), new byte[0]);
        byte[] wasm = new byte[4096];
        wasm[0] = 0; wasm[1] = 'a'; wasm[2] = 's'; wasm[3] = 'm'; wasm[4] = 1;
        Files.write(site.resolve("engine.wasm"), wasm);
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7 + 3);
        Files.write(site.resolve("data.bin"), data);
        Files.createSymbolicLink(site.resolve("escape.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(site.resolve("escdir"), outside);
        return site;
    }

    /** A valid packaged model: one f32 embedding [8, 16] in one shard, and a tokenizer file. */
    static Manifest writeTinyModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        ModelConfig config = new ModelConfig("llama", 16, 2, 4, 2, 4, 32, 8, 1e-5f, 10000f, RopeStyle.INTERLEAVED, 64, 1, 2, true);
        byte[] shard = new byte[8 * 16 * 4 + 3000]; // the tensor plus padding, so ranges have room
        for (int i = 0; i < shard.length; i++) shard[i] = (byte) (i % 251);
        String shardHash = sha256(shard);
        String shardFile = "shard-00000-" + shardHash.substring(0, 16) + ".bin";
        Files.write(dir.resolve(shardFile), shard);
        byte[] tokenizer = "{\"tokens\":[\"<unk>\",\"<s>\",\"</s>\"]}".getBytes(StandardCharsets.UTF_8);
        String tokFile = "tokenizer-" + sha256(tokenizer).substring(0, 16) + ".json";
        Files.write(dir.resolve(tokFile), tokenizer);
        Manifest m = new Manifest("Tiny test model", config, tokFile,
                List.of(new TensorInfo("token_embd.weight", new long[]{8, 16}, DType.F32, 0, 0, 8 * 16 * 4)),
                List.of(new ShardInfo(shardFile, shard.length, shardHash)));
        Files.writeString(dir.resolve("manifest.json"), m.toJson());
        Files.writeString(dir.resolve("notes.txt"), SECRET);
        return Manifest.fromJson(m.toJson());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String header(HttpResponse<?> r, String name) { return r.headers().firstValue(name).orElse(null); }
}
