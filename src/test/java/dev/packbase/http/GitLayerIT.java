package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.domain.PackageName;
import dev.packbase.domain.TagManifest;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.PktLine;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.Tarballs;
import dev.packbase.testing.UpstreamRepo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pseudo-Git layer with Debian's real git client: clones over protocol v2, v0 and dumb HTTP, on
 * every path alias, shallow and by tag; fetch by commit id, including the upstream commit id (the
 * host-swap case); fsck-clean results whose trees equal the tarballs; push refused.
 */
class GitLayerIT {
    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    static Path root;
    @TempDir
    Path work;

    static GitHttpBackend backend;
    static UpstreamRepo repo;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        repo = Fixtures.richRepo(upstreamRoot, "zlib-lite", scratch);
        backend = GitHttpBackend.start(upstreamRoot);
        server = TestServer.start(root, Map.of("packbase.seed", "false"));
        HttpResponse<String> fetched = server.postJson("/api/fetch", "{\"url\":\"" + backend.url("zlib-lite") + "\"}");
        assertEquals(200, fetched.statusCode(), fetched.body());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        backend.close();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", work.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        return env;
    }

    private Cmd.Result git(Map<String, String> env, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        return Cmd.run(work, env, command);
    }

    private Cmd.Result gitFails(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Cmd.Result r = Cmd.exec(work, env(), command);
        assertNotEquals(0, r.exit(), "expected failure of git " + String.join(" ", args));
        return r;
    }

    private static TagManifest manifest(String tag) throws Exception {
        return server.packbase().registry().manifest(new PackageName("zlib-lite"), tag).orElseThrow();
    }

    /** The checked-out files equal the tarball's entries: names, bytes, symlink targets, executable bits. */
    private static void assertCheckoutEqualsTarball(Path checkout, String tag) throws Exception {
        byte[] tar = Tarballs.gunzip(server.stored("p/zlib-lite/tag/" + tag + ".tar.gz"));
        Map<String, String> expected = new TreeMap<>();
        String prefix = "zlib-lite-" + tag + "/";
        Tarballs.entries(tar).values().stream().filter(e -> e.type() != 'd').forEach(e -> expected.put(
                e.name().substring(prefix.length()),
                e.type() + ":" + (e.type() == 'f' && (e.mode() & 0100) != 0) + ":" + e.content()));
        Map<String, String> actual = new TreeMap<>();
        try (Stream<Path> files = Files.walk(checkout)) {
            for (Path p : files.filter(p -> !checkout.relativize(p).startsWith(".git")).toList()) {
                String rel = checkout.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    actual.put(rel, "l:false:" + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p)) {
                    actual.put(rel, "f:" + Files.isExecutable(p) + ":"
                            + new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                }
            }
        }
        assertEquals(expected, actual);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/git/zlib-lite.git", "/zlib-lite", "/zlib-lite.git"})
    void cloneOverProtocolV2OnEveryPath(String path) throws Exception {
        Map<String, String> env = env();
        env.put("GIT_TRACE_PACKET", work.resolve("trace.txt").toString());
        git(env, "-c", "protocol.version=2", "clone", "-q", server.uri(path).toString(), "c");
        assertTrue(Files.readString(work.resolve("trace.txt")).contains("version 2"), "protocol v2 was spoken");
        Path c = work.resolve("c");
        assertEquals(manifest("v1.1.0").commitOid(), git(env(), "-C", c.toString(), "rev-parse", "HEAD").stdout().trim(),
                "HEAD is the latest tag's served commit");
        git(env(), "-C", c.toString(), "fsck", "--full", "--strict");
        assertEquals(manifest("v1.1.0").treeOid(), git(env(), "-C", c.toString(), "rev-parse", "HEAD^{tree}").stdout().trim());
        assertCheckoutEqualsTarball(c, "v1.1.0");
        String tags = git(env(), "-C", c.toString(), "tag", "-l").stdout();
        assertEquals(List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1"), tags.lines().sorted().toList());
    }

    @Test
    void cloneOverProtocolV0AndDumbHttp() throws Exception {
        git(env(), "-c", "protocol.version=0", "clone", "-q", server.uri("/zlib-lite").toString(), "v0");
        git(env(), "-C", work.resolve("v0").toString(), "fsck", "--full", "--strict");
        assertCheckoutEqualsTarball(work.resolve("v0"), "v1.1.0");

        Map<String, String> dumb = env();
        dumb.put("GIT_SMART_HTTP", "0");
        git(dumb, "clone", "-q", server.uri("/git/zlib-lite.git").toString(), "dumb");
        git(env(), "-C", work.resolve("dumb").toString(), "fsck", "--full", "--strict");
        assertCheckoutEqualsTarball(work.resolve("dumb"), "v1.1.0");
    }

    @Test
    void shallowCloneOfATagAndLsRemote() throws Exception {
        git(env(), "clone", "-q", "--depth", "1", "--branch", "v1.0.0", server.uri("/zlib-lite").toString(), "s");
        Path s = work.resolve("s");
        assertEquals(manifest("v1.0.0").commitOid(), git(env(), "-C", s.toString(), "rev-parse", "HEAD").stdout().trim());
        assertCheckoutEqualsTarball(s, "v1.0.0");
        git(env(), "-C", s.toString(), "fsck", "--strict");

        String remote = git(env(), "ls-remote", server.uri("/zlib-lite").toString()).stdout();
        assertTrue(remote.contains(manifest("v1.0.0").commitOid() + "\trefs/tags/v1.0.0"), remote);
        assertTrue(remote.contains(manifest("v1.1.0").commitOid() + "\tHEAD"), remote);
        String v0 = git(env(), "-c", "protocol.version=0", "ls-remote", server.uri("/git/zlib-lite.git").toString()).stdout();
        assertEquals(remote.lines().sorted().toList(), v0.lines().sorted().toList());
    }

    @Test
    void fetchServedCommitsAndTheUpstreamCommitById() throws Exception {
        git(env(), "init", "-q", "f");
        Path f = work.resolve("f");
        String served = manifest("v1.1.0").commitOid();
        git(env(), "-C", f.toString(), "fetch", "-q", server.uri("/zlib-lite").toString(), served);
        assertEquals(served, git(env(), "-C", f.toString(), "rev-parse", "FETCH_HEAD").stdout().trim());

        // Host swap: the id upstream published for v1.1.0 (which has a parent) works with --depth 1.
        String upstream = manifest("v1.1.0").upstreamCommit();
        assertNotEquals(served, upstream);
        git(env(), "init", "-q", "u");
        Path u = work.resolve("u");
        git(env(), "-C", u.toString(), "fetch", "-q", "--depth", "1", server.uri("/zlib-lite").toString(), upstream);
        assertEquals(upstream, git(env(), "-C", u.toString(), "rev-parse", "FETCH_HEAD").stdout().trim());
        assertEquals(manifest("v1.1.0").treeOid(), git(env(), "-C", u.toString(), "rev-parse", "FETCH_HEAD^{tree}").stdout().trim());
        assertEquals(repo.git("cat-file", "commit", upstream), git(env(), "-C", u.toString(), "cat-file", "commit", upstream)
                .stdout().trim(), "byte-identical upstream commit");
        git(env(), "-C", u.toString(), "fsck", "--full");

        // Without --depth 1 the history is missing: a clean Git error, never a broken stream.
        git(env(), "init", "-q", "full");
        Cmd.Result full = gitFails("-C", work.resolve("full").toString(), "fetch", server.uri("/zlib-lite").toString(), upstream);
        assertTrue(full.stderr().contains("remote error") && full.stderr().contains("--depth 1"), full.stderr());
    }

    @Test
    void pushIsRefusedAndUnknownRepositoriesAre404() throws Exception {
        git(env(), "clone", "-q", server.uri("/zlib-lite").toString(), "p");
        Path p = work.resolve("p");
        Cmd.Result push = gitFails("-C", p.toString(), "-c", "user.name=x", "-c", "user.email=x@y", "push",
                server.uri("/zlib-lite").toString(), "HEAD:refs/heads/evil");
        assertTrue(push.stderr().contains("403"), push.stderr());
        HttpResponse<String> receive = server.postJson("/git/zlib-lite.git/git-receive-pack", "");
        assertEquals(403, receive.statusCode());

        Cmd.Result unknown = gitFails("ls-remote", server.uri("/git/nope.git").toString());
        assertTrue(unknown.stderr().contains("not found"), unknown.stderr());
        assertEquals(404, server.get("/git/nope.git/info/refs?service=git-upload-pack").statusCode());
        assertEquals(404, server.get("/zlib-lite/objects/pack/pack-" + "0".repeat(40) + ".pack").statusCode());
    }

    @Test
    void zigShapedRequestsWithChunkedAndGzipBodies() throws Exception {
        HttpResponse<byte[]> caps = server.getBytes("/zlib-lite/info/refs?service=git-upload-pack",
                "Git-Protocol", "version=2");
        String advertisement = new String(caps.body(), StandardCharsets.UTF_8);
        assertEquals(200, caps.statusCode());
        assertTrue(advertisement.contains("version 2") && advertisement.contains("fetch=shallow"), advertisement);

        byte[] lsRefs = PktLine.encode("command=ls-refs\n", "agent=zig/0.15.1\n", "object-format=sha1\n", "0001", "peel\n",
                "ref-prefix refs/tags/v1.0.0\n", "ref-prefix refs/heads/v1.0.0\n", "ref-prefix v1.0.0\n", "0000");
        // Chunked (no Content-Length), as git sends large bodies.
        HttpResponse<String> chunked = server.send(HttpRequest.newBuilder(server.uri("/zlib-lite/git-upload-pack"))
                .header("Content-Type", "application/x-git-upload-pack-request").header("Git-Protocol", "version=2")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(lsRefs))));
        assertEquals(200, chunked.statusCode());
        assertTrue(chunked.body().contains(manifest("v1.0.0").commitOid() + " refs/tags/v1.0.0"), chunked.body());

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(lsRefs);
        }
        HttpResponse<String> gzipped = server.send(HttpRequest.newBuilder(server.uri("/git/zlib-lite.git/git-upload-pack"))
                .header("Content-Encoding", "gzip").header("Git-Protocol", "version=2")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())));
        assertEquals(chunked.body(), gzipped.body());
    }

    @Test
    void zigsFetchGetsOnlyDataPacketsAfterDelimitedSections() throws Exception {
        for (String want : new String[] {manifest("v1.1.0").commitOid(), manifest("v1.1.0").upstreamCommit()}) {
            // Exactly what Zig 0.15 sends, including its NUL-padded want line.
            byte[] fetch = PktLine.encode("command=fetch\n", "agent=zig/0.15.1\n", "object-format=sha1\n", "0001", "ofs-delta\n",
                    "no-progress\n", "deepen 1\n", "want " + want + "\0".repeat(24) + "\n", "done\n", "0000");
            HttpResponse<byte[]> r = server.getClient().send(HttpRequest.newBuilder(server.uri("/zlib-lite/git-upload-pack"))
                    .header("Git-Protocol", "version=2").POST(HttpRequest.BodyPublishers.ofByteArray(fetch)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            byte[] body = r.body();
            List<String> sections = new java.util.ArrayList<>();
            int pos = 0;
            boolean inPack = false;
            boolean expectName = true;
            int dataPackets = 0;
            while (pos < body.length) {
                int len = Integer.parseInt(new String(body, pos, 4, StandardCharsets.US_ASCII), 16);
                if (len == 0) {
                    assertEquals(body.length, pos + 4, "nothing after the final flush");
                    break;
                }
                if (len == 1) {
                    assertTrue(!inPack, "no delimiter inside the pack");
                    expectName = true;
                    pos += 4;
                    continue;
                }
                String text = new String(body, pos + 4, Math.min(len - 4, 40), StandardCharsets.ISO_8859_1);
                if (inPack) {
                    assertEquals(1, body[pos + 4], "only band-1 packets in the pack stream");
                    assertTrue(len > 5, "no empty keep-alive packets");
                    dataPackets++;
                } else if (expectName) {
                    sections.add(text.strip());
                    inPack = text.startsWith("packfile");
                    expectName = false;
                }
                pos += len;
            }
            assertEquals(List.of("shallow-info", "packfile"), sections, want);
            assertTrue(dataPackets > 0);
        }
    }

    @Test
    void infoReportsTheRealGitCheck() throws Exception {
        var info = new com.fasterxml.jackson.databind.ObjectMapper().readTree(server.get("/api/info/zlib-lite").body());
        assertTrue(info.path("smart_http_ready").asBoolean(), info.toString());
        assertTrue(info.path("pseudo_git_fetchable").asBoolean(), info.toString());
        assertTrue(info.path("healthy").asBoolean(), info.toString());
    }

}
