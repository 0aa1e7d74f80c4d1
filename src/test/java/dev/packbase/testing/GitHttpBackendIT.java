package dev.packbase.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Proves {@link GitHttpBackend} against the real git CLI (smart v0/v2, dumb, chunked, gzip) and JGit's client. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GitHttpBackendIT {

    private static final String BUILD_ZIG = "const std = @import(\"std\");\npub fn build(b: *std.Build) void { _ = b; }\n";
    private static final String BUILD_ZIG_ZON = ".{ .name = .lib, .version = \"1.0.0\", .paths = .{\"\"} }\n";

    @TempDir
    Path home;
    @TempDir
    Path work;
    @TempDir
    Path root;
    @TempDir
    Path out;

    private final Map<String, String> env = new HashMap<>();
    private GitHttpBackend backend;
    private ObjectId first;
    private ObjectId v100Commit;
    private ObjectId v100TagObject;
    private ObjectId v110Commit;

    @BeforeEach
    void createRepositoryAndStart() throws IOException {
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_AUTHOR_DATE", "1700000000 +0000");
        env.put("GIT_COMMITTER_DATE", "1700000000 +0000");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("LC_ALL", "C");

        git(work, "init", "-q", ".");
        Files.writeString(work.resolve("README.md"), "# lib\n");
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "first");
        first = rev(work, "HEAD");

        Files.writeString(work.resolve("build.zig"), BUILD_ZIG);
        Files.writeString(work.resolve("build.zig.zon"), BUILD_ZIG_ZON);
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "second");
        git(work, "tag", "-a", "v1.0.0", "-m", "release 1.0.0");
        v100Commit = rev(work, "HEAD");
        v100TagObject = rev(work, "refs/tags/v1.0.0");

        Files.writeString(work.resolve("README.md"), "# lib\n\nNow better.\n");
        git(work, "commit", "-q", "-am", "third");
        git(work, "tag", "v1.1.0");
        v110Commit = rev(work, "HEAD");

        git(root, "clone", "-q", "--bare", work.toString(), root.resolve("lib.git").toString());
        backend = GitHttpBackend.start(root);
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void lsRemoteOverProtocolV2() {
        Cmd.Result r = git(out, Map.of("GIT_TRACE_PACKET", "1"),
                "-c", "protocol.version=2", "ls-remote", backend.url("lib"));
        assertTrue(r.stderr().contains("git< version 2"), r.stderr());
        assertAdvertisesAllRefs(r.stdout());
        assertTrue(backend.requestCount() >= 1);
    }

    @Test
    void lsRemoteOverProtocolV0() {
        Cmd.Result r = git(out, Map.of("GIT_TRACE_PACKET", "1"),
                "-c", "protocol.version=0", "ls-remote", backend.url("lib"));
        assertFalse(r.stderr().contains("version 2"), r.stderr());
        assertAdvertisesAllRefs(r.stdout());
    }

    private void assertAdvertisesAllRefs(String lsRemote) {
        assertTrue(lsRemote.contains(v110Commit.name() + "\trefs/heads/main\n"), lsRemote);
        assertTrue(lsRemote.contains(v100TagObject.name() + "\trefs/tags/v1.0.0\n"), lsRemote);
        assertTrue(lsRemote.contains(v100Commit.name() + "\trefs/tags/v1.0.0^{}\n"), lsRemote);
        assertTrue(lsRemote.contains(v110Commit.name() + "\trefs/tags/v1.1.0\n"), lsRemote);
    }

    @Test
    void fullClone() throws IOException {
        Path dest = out.resolve("full");
        git(out, "clone", "-q", backend.url("lib"), dest.toString());
        assertEquals(v110Commit, rev(dest, "HEAD"));
        assertEquals(v100Commit, rev(dest, "v1.0.0^{commit}"));
        assertEquals("3", git(dest, "rev-list", "--count", "HEAD").stdout().trim());
        assertEquals(BUILD_ZIG, Files.readString(dest.resolve("build.zig")));
    }

    @Test
    void shallowCloneOfAnnotatedTag() throws IOException {
        Path dest = out.resolve("shallow");
        git(out, "clone", "-q", "--depth", "1", "--branch", "v1.0.0", backend.url("lib"), dest.toString());
        assertEquals(v100Commit, rev(dest, "HEAD"));
        assertEquals("1", git(dest, "rev-list", "--count", "HEAD").stdout().trim());
        assertTrue(Files.readString(dest.resolve(".git/shallow")).contains(v100Commit.name()));
        assertEquals(BUILD_ZIG_ZON, Files.readString(dest.resolve("build.zig.zon")));
    }

    @Test
    void dumbHttpClone() throws IOException {
        git(root.resolve("lib.git"), "update-server-info");
        Path dest = out.resolve("dumb");
        Cmd.Result r = git(out, Map.of("GIT_SMART_HTTP", "0", "GIT_TRACE_CURL", "1", "GIT_TRACE_CURL_NO_DATA", "1"),
                "clone", "-q", backend.url("lib"), dest.toString());
        assertTrue(r.stderr().contains("GET /lib.git/objects/"), r.stderr());
        assertFalse(r.stderr().contains("service=git-upload-pack"), r.stderr());
        assertEquals(v110Commit, rev(dest, "HEAD"));
        assertEquals(BUILD_ZIG, Files.readString(dest.resolve("build.zig")));
    }

    /** A 2 MiB incompressible push with a 1 KiB post buffer makes git send one chunked POST of over 1 MiB. */
    @Test
    void largeChunkedPushIsBufferedAndAccepted() throws IOException {
        Path target = root.resolve("push.git");
        git(root, "init", "-q", "--bare", target.toString());
        git(target, "config", "http.receivepack", "true");

        byte[] blob = new byte[2 * 1024 * 1024];
        new Random(42).nextBytes(blob);
        Files.write(work.resolve("big.bin"), blob);
        git(work, "add", "big.bin");
        git(work, "commit", "-q", "-m", "big");
        ObjectId big = rev(work, "HEAD");

        Cmd.Result r = git(work, Map.of("GIT_TRACE_CURL", "1", "GIT_TRACE_CURL_NO_DATA", "1"),
                "-c", "http.postBuffer=1024", "push", "-q", backend.url("push"), "HEAD:refs/heads/main");
        assertTrue(r.stderr().toLowerCase().contains("transfer-encoding: chunked"), r.stderr());
        assertEquals(big, rev(target, "refs/heads/main"));
        assertEquals(String.valueOf(blob.length), git(target, "cat-file", "-s", "main:big.bin").stdout().trim());
    }

    /** Protocol v2 ls-refs sent by hand: a chunked body of more than 1 MiB, and a gzip-encoded body. */
    @Test
    void chunkedAndGzipRequestBodies() throws Exception {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        pkt(req, "command=ls-refs\n");
        req.writeBytes("0001".getBytes(StandardCharsets.US_ASCII));
        pkt(req, "peel\n");
        pkt(req, "ref-prefix refs/tags/\n");
        String padding = "x".repeat(1000);
        for (int i = 0; req.size() <= 1024 * 1024 + 4096; i++) {
            pkt(req, "ref-prefix refs/nothing/" + i + "/" + padding + "\n");
        }
        req.writeBytes("0000".getBytes(StandardCharsets.US_ASCII));
        byte[] body = req.toByteArray();
        assertTrue(body.length > 1024 * 1024);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // ofInputStream has no known length, so the JDK client sends Transfer-Encoding: chunked
        HttpResponse<String> chunked = client.send(
                uploadPackRequest().POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
        assertEquals(200, chunked.statusCode(), chunked.body());
        assertTrue(chunked.body().contains(v100TagObject.name() + " refs/tags/v1.0.0 peeled:" + v100Commit.name()),
                chunked.body());
        assertTrue(chunked.body().contains(v110Commit.name() + " refs/tags/v1.1.0"), chunked.body());
        assertFalse(chunked.body().contains("refs/heads/main"), chunked.body());

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(body);
        }
        HttpResponse<String> gzipped = client.send(
                uploadPackRequest().header("Content-Encoding", "gzip")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
        assertEquals(200, gzipped.statusCode(), gzipped.body());
        assertTrue(gzipped.body().contains(" refs/tags/v1.0.0 peeled:" + v100Commit.name()), gzipped.body());
    }

    private HttpRequest.Builder uploadPackRequest() {
        return HttpRequest.newBuilder(URI.create(backend.url("lib") + "/git-upload-pack"))
                .header("Content-Type", "application/x-git-upload-pack-request")
                .header("Accept", "application/x-git-upload-pack-result")
                .header("Git-Protocol", "version=2");
    }

    private static void pkt(ByteArrayOutputStream os, String line) {
        byte[] data = line.getBytes(StandardCharsets.UTF_8);
        os.writeBytes(String.format("%04x", data.length + 4).getBytes(StandardCharsets.US_ASCII));
        os.writeBytes(data);
    }

    @Test
    void unknownRepositoryIs404() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(backend.url("missing") + "/info/refs?service=git-upload-pack")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
    }

    @Test
    void jgitLsRemoteListsBothTagsWithPeeledAnnotatedTag() throws Exception {
        Collection<Ref> refs = Git.lsRemoteRepository().setRemote(backend.url("lib")).setTags(true).call();
        Ref annotated = find(refs, "refs/tags/v1.0.0");
        Ref lightweight = find(refs, "refs/tags/v1.1.0");
        assertEquals(v100TagObject, annotated.getObjectId());
        assertEquals(v110Commit, lightweight.getObjectId());
        // JGit's client reports the peeled commit of an annotated tag (v2: ls-refs "peel"; v0: "^{}" lines)
        assertTrue(annotated.isPeeled());
        assertEquals(v100Commit, annotated.getPeeledObjectId());
        assertEquals(null, lightweight.getPeeledObjectId());
        assertTrue(backend.requestCount() >= 1);
    }

    @Test
    void jgitShallowFetchOfTagOverHttp() throws Exception {
        assertShallowTagFetch(backend.url("lib"), out.resolve("http.git"));
    }

    @Test
    void jgitShallowFetchOfTagOverFileUrl() throws Exception {
        int before = backend.requestCount();
        assertShallowTagFetch(root.resolve("lib.git").toUri().toString(), out.resolve("file.git"));
        assertEquals(before, backend.requestCount());
    }

    private void assertShallowTagFetch(String url, Path dir) throws Exception {
        try (Git git = Git.init().setBare(true).setDirectory(dir.toFile()).call()) {
            git.fetch().setRemote(url)
                    .setRefSpecs(new RefSpec("refs/tags/v1.0.0:refs/tags/v1.0.0"))
                    .setDepth(1)
                    .setTagOpt(TagOpt.NO_TAGS)
                    .call();
            Repository repo = git.getRepository();
            Ref tag = repo.exactRef("refs/tags/v1.0.0");
            assertNotNull(tag);
            assertEquals(v100TagObject, tag.getObjectId());
            assertEquals(null, repo.exactRef("refs/tags/v1.1.0"));
            try (RevWalk walk = new RevWalk(repo)) {
                RevObject obj = walk.parseAny(tag.getObjectId());
                assertTrue(obj instanceof RevTag, obj.toString());
                RevCommit commit = walk.parseCommit(tag.getObjectId());
                assertEquals(v100Commit, commit);
                List<String> paths = new ArrayList<>();
                try (TreeWalk tw = new TreeWalk(repo)) {
                    tw.addTree(commit.getTree());
                    tw.setRecursive(true);
                    while (tw.next()) {
                        paths.add(tw.getPathString());
                    }
                }
                assertEquals(List.of("README.md", "build.zig", "build.zig.zon"), paths);
                try (TreeWalk tw = TreeWalk.forPath(repo, "build.zig", commit.getTree())) {
                    assertArrayEquals(BUILD_ZIG.getBytes(StandardCharsets.UTF_8),
                            repo.open(tw.getObjectId(0)).getBytes());
                }
            }
            assertTrue(Files.readString(dir.resolve("shallow")).contains(v100Commit.name()));
            assertFalse(repo.getObjectDatabase().has(first), "depth 1 must not fetch the parent commit");
            assertFalse(repo.getObjectDatabase().has(v110Commit));
        }
    }

    @Test
    void closeRefusesConnections() throws Exception {
        String url = backend.url("lib");
        int port = backend.port();
        git(out, "ls-remote", url);
        int served = backend.requestCount();
        assertTrue(served >= 1);
        backend.close();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        assertThrows(TransportException.class, () -> Git.lsRemoteRepository().setRemote(url).call());
        assertEquals(served, backend.requestCount());
        backend.close(); // idempotent
    }

    private static Ref find(Collection<Ref> refs, String name) {
        return refs.stream().filter(r -> r.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + refs));
    }

    private ObjectId rev(Path dir, String spec) {
        return ObjectId.fromString(git(dir, "rev-parse", "--verify", "-q", spec).stdout().trim());
    }

    private Cmd.Result git(Path dir, String... args) {
        return git(dir, Map.of(), args);
    }

    private Cmd.Result git(Path dir, Map<String, String> extraEnv, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git",
                "-c", "user.name=Packbase Test", "-c", "user.email=test@packbase.invalid",
                "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"));
        cmd.addAll(List.of(args));
        Map<String, String> e = new HashMap<>(env);
        e.putAll(extraEnv);
        return Cmd.run(dir, e, cmd);
    }
}
