package dev.packbase.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.DependencyTree;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestConfigs;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.UpstreamRepo;
import dev.packbase.testing.Zig;
import dev.packbase.testing.ZigPackages;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export} / {@code import} between two roots: a root's closure and a pinned commit, carried in
 * one file to a root that never had upstream, serve the same bytes there (the bundle included); a file
 * with one tampered tarball is refused whole, and nothing of it is written.
 */
@Tag("zig")
class TransferIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path central;
    @TempDir
    Path airGapped;
    @TempDir
    Path tampered;
    @TempDir
    Path work;

    private static byte[] bundle(TestServer s, String zon) throws Exception {
        HttpResponse<byte[]> r = s.sendBytes(HttpRequest.newBuilder(s.uri("/api/bundle")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("zon", zon)))));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return r.body();
    }

    private static int run(Path root, String... args) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Transfer transfer = new Transfer(new PrintStream(err, true, StandardCharsets.UTF_8));
        var config = TestConfigs.config(root, Map.of("packbase.seed", "false"));
        int code = args[0].equals("export") ? transfer.export(config, List.of(args).subList(1, args.length))
                : transfer.importFile(config, List.of(args).subList(1, args.length));
        System.err.print(err.toString(StandardCharsets.UTF_8));
        return code;
    }

    @Test
    void anExportServesTheSameBytesOnARootWithoutUpstreamAndATamperedOneIsRefused() throws Exception {
        DependencyTree tree;
        String zon;
        String commit;
        byte[] bundle;
        byte[] commitTarball;
        String closure;
        try (GitHttpBackend forge = GitHttpBackend.start(upstreamRoot);
                TestServer server = TestServer.start(central, Map.of("packbase.seed", "false",
                        "packbase.upstream.rewrites", DependencyTree.githubRewrite(forge)))) {
            tree = DependencyTree.create(upstreamRoot, scratch, forge, "", Zig.require("0.15.1"), work.resolve("zig"));
            // A root whose one dependency is the archive package.
            UpstreamRepo withC = UpstreamRepo.create(upstreamRoot, "withc", scratch);
            withC.write("build.zig.zon", ZigPackages.manifest("withc", "1.0.0", false).replace(".dependencies = .{},",
                    ".dependencies = .{ " + tree.dep("clib", "clib", false) + "},"));
            withC.lightweightTag("v1.0.0", withC.commit("withc 1.0.0", 1_700_000_000L)).publish();
            zon = tree.consumer(tree.dep("mid", "mid", false) + tree.dep("edge", "leaf-main", false) + tree.dep("clib", "clib", false));
            assertEquals(200, server.postJson("/api/closure", JSON.writeValueAsString(Map.of("url", tree.url.get("mid"))))
                    .statusCode());
            HttpResponse<String> c = server.postJson("/api/closure", JSON.writeValueAsString(
                    Map.of("url", "git+" + forge.url("withc") + "#v1.0.0")));
            assertEquals(200, c.statusCode(), c.body());
            assertTrue(JSON.readTree(c.body()).path("complete").asBoolean(), c.body());
            server.fetch(tree.url.get("leaf-main"), 200);
            commit = tree.url.get("leaf-main").substring(tree.url.get("leaf-main").indexOf('#') + 1);
            bundle = bundle(server, zon);
            commitTarball = server.getBytes("/p/leaf/commit/" + commit + ".tar.gz").body();
            closure = server.get("/api/closure/mid/v1.0.0").body();
        }
        // The forge is gone: the air-gapped root gets everything from the file.
        Path file = work.resolve("transfer.tar");
        assertEquals(0, run(central, "export", "mid@v1.0.0", "leaf#" + commit, "withc@v1.0.0", "--closure", "-o",
                file.toString()));
        assertEquals(0, run(airGapped, "import", file.toString()));
        try (TestServer there = TestServer.start(airGapped, Map.of("packbase.seed", "false"))) {
            assertArrayEquals(bundle, bundle(there, zon), "the consumer's bundle, byte for byte");
            assertArrayEquals(commitTarball, there.getBytes("/p/leaf/commit/" + commit + ".tar.gz").body());
            assertEquals(JSON.readTree(closure).path("nodes"), JSON.readTree(there.get("/api/closure/mid/v1.0.0").body()).path("nodes"));
            assertEquals(200, there.getBytes("/h/" + tree.hash.get("leaf") + ".tar.gz").statusCode());
            assertEquals(200, there.getBytes("/h/" + tree.hash.get("clib") + ".tar.gz").statusCode(), "the archive package too");
            assertEquals(true, JSON.readTree(there.get("/api/info/mid").body()).path("healthy").asBoolean());
        }
        assertEquals(0, run(airGapped, "import", file.toString()), "importing again changes nothing and succeeds");

        Path bad = work.resolve("tampered.tar");
        try (InputStream in = Files.newInputStream(file); TarArchiveInputStream from = new TarArchiveInputStream(in);
                OutputStream out = Files.newOutputStream(bad); TarArchiveOutputStream to = new TarArchiveOutputStream(out)) {
            to.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry e;
            boolean done = false;
            while ((e = from.getNextEntry()) != null) {
                byte[] bytes = from.readAllBytes();
                if (!done && e.getName().endsWith(".tar.gz") && !e.getName().contains(commit)) {
                    bytes = commitTarball; // a well-formed tarball, of another version
                    done = true;
                }
                TarArchiveEntry copy = new TarArchiveEntry(e.getName());
                copy.setSize(bytes.length);
                to.putArchiveEntry(copy);
                to.write(bytes);
                to.closeArchiveEntry();
            }
        }
        assertEquals(1, run(tampered, "import", bad.toString()));
        assertFalse(Files.exists(tampered.resolve("p")), "nothing of a refused file is written");
    }
}
