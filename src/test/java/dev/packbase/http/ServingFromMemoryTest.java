package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagEntry;
import dev.packbase.git.DerivedGit;
import dev.packbase.git.GitIndex;
import dev.packbase.git.GitService;
import dev.packbase.state.PackageState;
import dev.packbase.storage.MemoryStorage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.storage.StoredObject;
import dev.packbase.testing.PktLine;
import dev.packbase.testing.ScriptedUpstream;
import dev.packbase.testing.StoredPackages;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PackParser;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry side on a {@link MemoryStorage}, with no file anywhere: package state, derived Git data built from
 * the stored tarballs, a tarball sent by every path the sender has, and Git's ref advertisement and packs (per-tag,
 * history and upstream-commit ones). If any of these still opened a file, it would find nothing here.
 */
class ServingFromMemoryTest {
    private static final PackageName NAME = new PackageName("memlib");
    private static final long T1 = 1_700_000_000L;
    private static final long T2 = 1_700_086_400L;
    private static final String MAIN_V2 = "pub fn answer() u32 { return 43; }\n";

    private final MemoryStorage storage = new MemoryStorage();
    private final ObjectMapper json = Json.newMapper();
    private final PackageState state = new PackageState(storage, json);
    private final DerivedGit derived = new DerivedGit(storage, json);
    private final GitService git = new GitService(state, derived);
    private PackageRecord record;
    private ObjectId upstreamSecond;

    @BeforeEach
    void storePackage() throws IOException {
        ScriptedUpstream upstream = new ScriptedUpstream("https://upstream.invalid/memlib.git");
        Map<String, String> files = new HashMap<>(Map.of(
                "build.zig.zon", ".{ .name = \"memlib\", .version = \"1.0.0\", .paths = .{\"\"} }\n",
                "src/main.zig", "pub fn answer() u32 { return 42; }\n"));
        ObjectId first = upstream.commit(T1, files);
        upstream.annotatedTag("v1.0.0", first, "release 1.0.0");
        files.put("src/main.zig", MAIN_V2);
        upstreamSecond = upstream.commit(T2, files);
        upstream.tag("v1.1.0", upstreamSecond);
        record = StoredPackages.write(state, derived, json, upstream, NAME, T2);
    }

    private TagEntry tag(String name) {
        return record.tag(name).orElseThrow();
    }

    private byte[] stored(String key) throws IOException {
        try (InputStream in = storage.open(key)) {
            return in.readAllBytes();
        }
    }

    @Test
    void derivedGitDataIsBuiltFromTheStoredTarballsAndFoundComplete() throws IOException {
        GitIndex index = derived.index(NAME).orElseThrow();
        assertEquals(List.of("v1.0.0", "v1.1.0"), index.tags().stream().map(GitIndex.Tag::tag).toList());
        assertTrue(index.historyPack() != null, "two distinct commits get a history pack");
        assertTrue(derived.complete(NAME, Map.of("v1.0.0", tag("v1.0.0").commitOid(), "v1.1.0", tag("v1.1.0").commitOid()),
                java.util.Set.of()));
        assertTrue(storage.list(StorageKeys.gitDir(NAME)).stream().anyMatch(k -> k.endsWith(".bitmap")));
    }

    @Test
    void aTarballIsSentFromMemoryByEveryPathOfTheSender() throws Exception {
        TarballResolver resolver = new TarballResolver(state, new dev.packbase.state.ArchiveState(storage, json));
        TarballResolver.Target target = resolver.byTag("/memlib/tag/v1.1.0.tar.gz", "/p/memlib/tag/v1.1.0.tar.gz");
        byte[] tarball = stored(StorageKeys.tarball(NAME, "v1.1.0"));
        assertEquals(MAIN_V2, untar(tarball).get("memlib-v1.1.0/src/main.zig"));

        // Cache off: every request reads the store. A plain stream, a container with write(ByteBuffer) (the
        // memory-map path), and one offering Tomcat's sendfile, which a store without files cannot take.
        TarballSender uncached = new TarballSender(storage, new TarballCache(0, 0));
        for (Exchange.Kind kind : Exchange.Kind.values()) {
            Exchange whole = new Exchange(Map.of(), kind);
            uncached.send(whole.request(), whole.response(), target, false);
            assertEquals(200, whole.status, kind.name());
            assertEquals(String.valueOf(tarball.length), whole.headers.get("Content-Length"), kind.name());
            assertEquals("\"" + tag("v1.1.0").sha256() + "\"", whole.headers.get("ETag"), kind.name());
            assertArrayEquals(tarball, whole.body(), kind.name());
            assertEquals(kind == Exchange.Kind.BUFFERS, whole.out.bufferWrites > 0, kind.name());
            assertNull(whole.attributes.get("org.apache.tomcat.sendfile.filename"), kind.name());

            Exchange range = new Exchange(Map.of("Range", "bytes=10-19"), kind);
            uncached.send(range.request(), range.response(), target, false);
            assertEquals(206, range.status, kind.name());
            assertArrayEquals(Arrays.copyOfRange(tarball, 10, 20), range.body(), kind.name());
        }

        TarballSender cached = new TarballSender(storage, new TarballCache(1 << 20, 1 << 20));
        Exchange first = new Exchange(Map.of(), Exchange.Kind.STREAM);
        cached.send(first.request(), first.response(), target, false);
        assertArrayEquals(tarball, first.body());
        assertArrayEquals(tarball, cached.cache().get(StorageKeys.tarball(NAME, "v1.1.0"), tag("v1.1.0").sha256()).body);
    }

    @Test
    void gitAdvertisesRefsAndSendsPacksFromMemory() throws Exception {
        GitService.Served served = git.open(NAME).orElseThrow();
        ByteArrayOutputStream advertisement = new ByteArrayOutputStream();
        git.advertise(served, null, advertisement);
        String refs = advertisement.toString(StandardCharsets.UTF_8);
        assertTrue(refs.contains(tag("v1.1.0").commitOid() + " refs/tags/v1.1.0"), refs);
        assertTrue(refs.contains(tag("v1.0.0").commitOid() + " refs/tags/v1.0.0"), refs);
        assertTrue(refs.contains("symref=HEAD:refs/tags/v1.1.0"), refs);

        // A shallow fetch of one tag (from the view of its per-tag pack), a full one (the history pack), and
        // upstream's commit of a tag (its own pack, streamed by UpstreamCommitRequest).
        InMemoryRepository shallow = received(fetch(served, true, tag("v1.1.0").commitOid()));
        assertEquals(MAIN_V2, file(shallow, tag("v1.1.0").commitOid(), "src/main.zig"));
        InMemoryRepository full = received(fetch(served, false, tag("v1.0.0").commitOid(), tag("v1.1.0").commitOid()));
        assertEquals(tag("v1.0.0").treeOid(), tree(full, tag("v1.0.0").commitOid()));
        assertEquals(tag("v1.1.0").treeOid(), tree(full, tag("v1.1.0").commitOid()));
        assertTrue(!upstreamSecond.name().equals(tag("v1.1.0").commitOid()), "upstream's commit has a parent");
        InMemoryRepository upstream = received(fetch(served, true, upstreamSecond.name()));
        assertEquals(tag("v1.1.0").treeOid(), tree(upstream, upstreamSecond.name()));

        String pack = served.index().tag("v1.1.0").orElseThrow().pack() + ".pack";
        try (StoredObject dumb = git.packFile(served, pack).orElseThrow()) {
            assertEquals(storage.stat(StorageKeys.gitDir(NAME) + "packs/" + pack).orElseThrow().size(), dumb.size());
        }
    }

    /** A protocol-v2 fetch through GitService; the pack it answers. */
    private byte[] fetch(GitService.Served served, boolean shallow, String... wants) throws IOException {
        List<String> lines = new java.util.ArrayList<>(List.of("command=fetch\n", "object-format=sha1\n", "0001",
                "ofs-delta\n", "no-progress\n"));
        if (shallow) {
            lines.add("deepen 1\n");
        }
        for (String want : wants) {
            lines.add("want " + want + "\n");
        }
        lines.add("done\n");
        lines.add("0000");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        git.uploadPack(served, PktLine.encode(lines.toArray(String[]::new)), "version=2", out);
        return PktLine.packOf(out.toByteArray());
    }

    private static InMemoryRepository received(byte[] pack) throws IOException {
        InMemoryRepository repo = new InMemoryRepository(new DfsRepositoryDescription("received"));
        try (ObjectInserter ins = repo.newObjectInserter()) {
            PackParser parser = ins.newPackParser(new ByteArrayInputStream(pack));
            parser.setAllowThin(false);
            parser.parse(NullProgressMonitor.INSTANCE);
            ins.flush();
        }
        return repo;
    }

    private static String tree(InMemoryRepository repo, String commit) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(ObjectId.fromString(commit)).getTree().name();
        }
    }

    private static String file(InMemoryRepository repo, String commit, String path) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(ObjectId.fromString(commit));
            try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
                return new String(repo.open(tw.getObjectId(0), Constants.OBJ_BLOB).getBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    private static Map<String, String> untar(byte[] tarball) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tarball)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile()) {
                    files.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }

    /** A request and its response, as far as the tarball sender uses them, without a container. */
    static final class Exchange {
        enum Kind {
            /** An output stream with nothing but write(byte[]). */
            STREAM,
            /** An output stream with a public write(ByteBuffer), as Jetty's is. */
            BUFFERS,
            /** Tomcat's sendfile offered, as Tomcat's connectors do. */
            SENDFILE
        }

        final Map<String, String> requestHeaders;
        final Map<String, Object> attributes = new HashMap<>();
        final Map<String, String> headers = new HashMap<>();
        final Captured out;
        int status = 200;

        Exchange(Map<String, String> requestHeaders, Kind kind) {
            this.requestHeaders = requestHeaders;
            this.out = kind == Kind.BUFFERS ? new BufferCaptured() : new Captured();
            if (kind == Kind.SENDFILE) {
                attributes.put("org.apache.tomcat.sendfile", Boolean.TRUE);
            }
        }

        byte[] body() {
            return out.bytes.toByteArray();
        }

        HttpServletRequest request() {
            return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "getHeader" -> requestHeaders.get((String) args[0]);
                        case "getAttribute" -> attributes.get((String) args[0]);
                        case "setAttribute" -> {
                            attributes.put((String) args[0], args[1]);
                            yield null;
                        }
                        case "getMethod" -> "GET";
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        HttpServletResponse response() {
            return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "setHeader" -> {
                            headers.put((String) args[0], (String) args[1]);
                            yield null;
                        }
                        case "setContentType" -> {
                            headers.put("Content-Type", (String) args[0]);
                            yield null;
                        }
                        case "setContentLengthLong" -> {
                            headers.put("Content-Length", String.valueOf(args[0]));
                            yield null;
                        }
                        case "setStatus" -> {
                            status = (Integer) args[0];
                            yield null;
                        }
                        case "getOutputStream" -> out;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    /** A response body in memory. */
    public static class Captured extends ServletOutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int bufferWrites;

        @Override
        public void write(int b) {
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new UnsupportedOperationException();
        }
    }

    /** A response body in memory that also takes buffers, which sends the sender down its memory-map path. */
    public static final class BufferCaptured extends Captured {
        public void write(ByteBuffer buffer) {
            bufferWrites++;
            byte[] b = new byte[buffer.remaining()];
            buffer.get(b);
            bytes.write(b, 0, b.length);
        }
    }
}
