package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.TagManifest;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.PktLine;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.ReverseProxy;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.Zig;
import dev.packbase.testing.ZigPackages;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * packbase behind real nginx and Caddy, configured from the operator templates in {@code docker/}:
 * JSON, byte-identical tarballs (never re-encoded), git clone over protocol v2 and v0, ls-remote, a
 * fetch whose upload-pack requests git sends chunked, a chunked ls-refs request answered exactly,
 * and zig fetch over both URL forms. One upstream and one packbase for the class, one proxy per
 * parameter.
 *
 * <p>Not asserted: that the proxy sets X-Forwarded-Proto/Host/For. Nothing in packbase reads or
 * exposes those headers yet, so there is nothing to observe through it.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(ReverseProxy.Kind.class)
class ReverseProxyIT {
    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    static Path root;
    @TempDir
    static Path proxies;
    @TempDir
    Path work;

    @Parameter
    ReverseProxy.Kind kind;

    static GitHttpBackend backend;
    static TestServer server;
    static ReverseProxy proxy;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startPackbase() throws Exception {
        Fixtures.richRepo(upstreamRoot, "zlib-lite", scratch);
        ZigPackages.greetRepo(upstreamRoot, "greet", scratch, false);
        backend = GitHttpBackend.start(upstreamRoot);
        server = TestServer.start(root, Map.of("packbase.seed", "false"));
        for (String pkg : List.of("zlib-lite", "greet")) {
            HttpResponse<String> r = server.postJson("/api/fetch", "{\"url\":\"" + backend.url(pkg) + "\"}");
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    @AfterAll
    static void stopPackbase() throws Exception {
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @BeforeParameterizedClassInvocation
    static void startProxy(ReverseProxy.Kind kind) {
        proxy = ReverseProxy.start(kind, server.uri(""), proxies);
    }

    @AfterParameterizedClassInvocation
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void statusJsonAndByteIdenticalTarball() throws Exception {
        HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(proxy.uri("/api/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, status.statusCode(), status.body() + "\n" + proxy.log());
        assertTrue(status.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), status.headers().toString());
        JsonNode json = new ObjectMapper().readTree(status.body());
        assertEquals("packbase", json.path("service").asText(), status.body());
        assertEquals(2, json.path("packages_total").asInt(), status.body());
        assertEquals(2, json.path("packages_healthy").asInt(), status.body());

        byte[] stored = Files.readAllBytes(root.resolve("p/zlib-lite/tag/v1.1.0.tar.gz"));
        HttpResponse<byte[]> tarball = HTTP.send(HttpRequest.newBuilder(proxy.uri("/p/zlib-lite/tag/v1.1.0.tar.gz"))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, tarball.statusCode(), proxy.log());
        assertEquals("application/gzip", tarball.headers().firstValue("Content-Type").orElse(null));
        assertEquals(List.of(), tarball.headers().allValues("Content-Encoding"), "the proxy must not re-encode");
        assertArrayEquals(stored, tarball.body(), "byte-identical tarball");
        HttpResponse<byte[]> direct = server.getBytes("/p/zlib-lite/tag/v1.1.0.tar.gz");
        assertEquals(direct.headers().firstValue("ETag"), tarball.headers().firstValue("ETag"));

        HttpResponse<byte[]> range = HTTP.send(HttpRequest.newBuilder(proxy.uri("/p/zlib-lite/tag/v1.1.0.tar.gz"))
                .header("Range", "bytes=0-9").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOf(stored, 10), range.body());
    }

    @Test
    void gitCloneV2AndV0AndLsRemote() throws Exception {
        String latest = manifest("zlib-lite", "v1.1.0").commitOid();

        Map<String, String> v2env = gitEnv();
        v2env.put("GIT_TRACE_PACKET", work.resolve("v2-trace.txt").toString());
        git(v2env, "-c", "protocol.version=2", "clone", "-q", proxy.uri("/zlib-lite").toString(), "v2");
        assertTrue(Files.readString(work.resolve("v2-trace.txt")).contains("git< version 2"), "protocol v2 was spoken");
        assertEquals(latest, git(gitEnv(), "-C", "v2", "rev-parse", "HEAD").stdout().trim());
        git(gitEnv(), "-C", "v2", "fsck", "--full", "--strict");
        assertEquals(List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1"), git(gitEnv(), "-C", "v2", "tag", "-l").stdout().lines().sorted().toList());

        Map<String, String> v0env = gitEnv();
        v0env.put("GIT_TRACE_PACKET", work.resolve("v0-trace.txt").toString());
        git(v0env, "-c", "protocol.version=0", "clone", "-q", proxy.uri("/git/zlib-lite.git").toString(), "v0");
        String v0trace = Files.readString(work.resolve("v0-trace.txt"));
        assertFalse(v0trace.contains("git< version 2"), "protocol v0 was spoken");
        assertTrue(v0trace.contains("# service=git-upload-pack"), "smart HTTP v0 advertisement");
        assertEquals(latest, git(gitEnv(), "-C", "v0", "rev-parse", "HEAD").stdout().trim());
        git(gitEnv(), "-C", "v0", "fsck", "--full", "--strict");

        String viaProxy = git(gitEnv(), "ls-remote", proxy.uri("/zlib-lite").toString()).stdout();
        String direct = git(gitEnv(), "ls-remote", server.uri("/zlib-lite").toString()).stdout();
        assertEquals(direct, viaProxy);
        assertTrue(viaProxy.contains(manifest("zlib-lite", "v1.0.0").commitOid() + "\trefs/tags/v1.0.0"), viaProxy);
        assertTrue(viaProxy.contains(latest + "\tHEAD"), viaProxy);
    }

    /**
     * git sends an upload-pack request chunked once it outgrows http.postBuffer. For protocol v2 the
     * buffer must also keep room for one largest pkt-line (65520 + 4 bytes): a smaller value, such as
     * 1024, makes git 2.39 abort with "BUG: remote-curl.c: The entire rpc->buf should be larger than
     * LARGE_PACKET_MAX". So the buffer is that minimum plus 1 KiB, and every request over about 1 KiB
     * goes out chunked. Local commits unknown to packbase make git's negotiation rounds (16, 32, 64,
     * ... haves) that large; every have must reach packbase intact for the fetch to end with the
     * right objects.
     */
    @Test
    void fetchWithChunkedUploadPackRequests() throws Exception {
        git(gitEnv(), "clone", "-q", "--single-branch", "--no-tags", "--branch", "v1.0.0", proxy.uri("/zlib-lite").toString(), "c");
        Path c = work.resolve("c");
        // Local commits, newer than the served ones, so git offers them as haves first.
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            String message = "local " + i + "\n";
            stream.append("commit refs/heads/local-history\n")
                    .append("committer Local <local@example.invalid> ").append(1_800_000_000L + i).append(" +0000\n")
                    .append("data ").append(message.getBytes(StandardCharsets.UTF_8).length).append('\n')
                    .append(message).append('\n');
        }
        Path importFile = Files.writeString(work.resolve("history.fi"), stream.toString());
        Cmd.run(c, gitEnv(), List.of("sh", "-c", "exec git fast-import --quiet < \"$0\"", importFile.toString()));

        Map<String, String> env = gitEnv();
        env.put("GIT_TRACE_CURL", work.resolve("curl.txt").toString());
        env.put("GIT_TRACE_CURL_NO_DATA", "1");
        git(env, "-C", "c", "-c", "http.postBuffer=" + (65524 + 1024), "-c", "protocol.version=2",
                "fetch", "-q", "origin", "+refs/tags/*:refs/tags/*");
        String curl = Files.readString(work.resolve("curl.txt"));
        assertTrue(curl.contains("Send header: POST /zlib-lite/git-upload-pack"), "upload-pack requests were sent");
        long chunkedPosts = curl.lines().filter(l -> l.contains("Send header: Transfer-Encoding: chunked")).count();
        assertTrue(chunkedPosts >= 2, "git sent upload-pack requests chunked (" + chunkedPosts + ")\n" + proxy.log());

        for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
            assertEquals(manifest("zlib-lite", tag).commitOid(),
                    git(gitEnv(), "-C", "c", "rev-parse", "refs/tags/" + tag + "^{commit}").stdout().trim(), tag);
        }
        git(gitEnv(), "-C", "c", "fsck", "--full", "--strict");
        assertEquals(manifest("zlib-lite", "v1.1.0").treeOid(),
                git(gitEnv(), "-C", "c", "rev-parse", "refs/tags/v1.1.0^{tree}").stdout().trim());
    }

    /** A v2 ls-refs request of about 40 KB, sent chunked through the proxy, gets exactly packbase's direct answer. */
    @Test
    void chunkedLsRefsRequestIsAnsweredExactly() throws Exception {
        List<String> lines = new ArrayList<>(List.of("command=ls-refs\n", "agent=packbase-test\n", "object-format=sha1\n",
                "0001", "peel\n"));
        for (int i = 0; i < 1500; i++) {
            lines.add("ref-prefix refs/heads/absent-" + i + "\n");
        }
        lines.add("ref-prefix refs/tags/\n");
        lines.add("0000");
        byte[] body = PktLine.encode(lines.toArray(String[]::new));
        assertTrue(body.length > 40_000, "a body of several chunks");

        HttpResponse<byte[]> chunked = HTTP.send(upload(proxy.uri("/zlib-lite/git-upload-pack"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, chunked.statusCode(), new String(chunked.body(), StandardCharsets.UTF_8) + "\n" + proxy.log());
        assertEquals("application/x-git-upload-pack-result", chunked.headers().firstValue("Content-Type").orElse(null));
        HttpResponse<byte[]> direct = HTTP.send(upload(server.uri("/zlib-lite/git-upload-pack"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, direct.statusCode());
        assertArrayEquals(direct.body(), chunked.body());

        List<String> refs = new ArrayList<>();
        for (String line : unpkt(chunked.body())) {
            String[] parts = line.split(" ");
            refs.add(parts[0] + " " + parts[1]);
        }
        List<String> expected = new ArrayList<>();
        for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
            expected.add(manifest("zlib-lite", tag).commitOid() + " refs/tags/" + tag);
        }
        assertEquals(expected.stream().sorted().toList(), refs.stream().sorted().toList(),
                new String(chunked.body(), StandardCharsets.UTF_8));
    }

    /** The proxy (on loopback, trusted by default) forwards Host/Proto; snippets then name the proxy, not packbase. */
    @Test
    void dependencySnippetsNameTheProxyThatForwardedTheRequest() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.uri("/p/greet/tag/v1.1.0.zon"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"" + proxy.uri("/p/greet/tag/v1.1.0.tar.gz") + "\""), r.body() + proxy.log());
    }

    @Test
    @Tag("zig")
    void zigFetchGivesTheSameHashOverGitAndTarball() throws Exception {
        Zig zig = Zig.require("0.15.1");
        Path cache = Files.createDirectories(work.resolve("cache"));
        Path app = Files.createDirectories(work.resolve("app"));
        Files.writeString(app.resolve("build.zig.zon"), ZigPackages.consumerManifest(false));
        Files.writeString(app.resolve("build.zig"), ZigPackages.consumerBuild(false));
        Files.writeString(app.resolve("main.zig"), ZigPackages.CONSUMER_MAIN);
        try {
            String tarball = Zig.lastLine(zig.ok(app, cache, "fetch", proxy.uri("/p/greet/tag/v1.1.0.tar.gz").toString()).stdout());
            String viaGit = Zig.lastLine(zig.ok(app, cache, "fetch", "git+" + proxy.uri("/greet") + "#v1.1.0").stdout());
            assertTrue(tarball.startsWith("greet-1.1.0-"), tarball);
            assertEquals(tarball, viaGit);
        } finally {
            Zig.deleteTree(cache);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static TagManifest manifest(String pkg, String tag) throws Exception {
        return server.packbase().registry().manifest(new PackageName(pkg), tag).orElseThrow();
    }

    private Map<String, String> gitEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", work.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        for (String p : List.of("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")) {
            env.put(p, null); // only loopback here: never go through an environment proxy
        }
        return env;
    }

    private Cmd.Result git(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        return Cmd.run(work, env, command);
    }

    private static HttpRequest.Builder upload(URI uri) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/x-git-upload-pack-request")
                .header("Accept", "application/x-git-upload-pack-result").header("Git-Protocol", "version=2");
    }



    /** The data lines of a pkt-line stream that must end with exactly one flush packet. */
    private static List<String> unpkt(byte[] stream) {
        List<String> lines = new ArrayList<>();
        int i = 0;
        while (true) {
            assertTrue(i + 4 <= stream.length, "truncated pkt-line stream");
            int len = Integer.parseInt(new String(stream, i, 4, StandardCharsets.US_ASCII), 16);
            if (len == 0) {
                assertEquals(stream.length, i + 4, "nothing after the flush packet");
                return lines;
            }
            String line = new String(stream, i + 4, len - 4, StandardCharsets.UTF_8);
            lines.add(line.endsWith("\n") ? line.substring(0, line.length() - 1) : line);
            i += len;
        }
    }
}
