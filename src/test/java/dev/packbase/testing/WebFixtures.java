package dev.packbase.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Packages for the web face's tests, fetched into a running server from a loopback forge: {@code greet}
 * (two tags), and {@code app}, which depends on greet v1.1.0 by hash, has a pinned commit, and whose
 * README and file names are hostile (scripts, handlers, {@code javascript:} links, an SVG with a script,
 * a direction control in a file name); app v1.0.0 keeps its dependency closure. Every hostile piece
 * would set {@code window.pwned} if it ran.
 */
public final class WebFixtures implements AutoCloseable {
    /** A file name whose U+202E makes it read as {@code evilgiz.txt} where it is shown raw. */
    public static final String BIDI_FILE = "src/evil\u202Etxt.zig";
    public static final String HOSTILE_README = """
            # app

            An app that greets through **greet**, with a hostile README.

            <script>window.pwned = "script"</script>
            <img src="x" onerror="window.pwned='onerror'">

            [click me](javascript:window.pwned='link') and [the guide](docs/guide.md)

            <a href="javascript:window.pwned='a'" onmouseover="window.pwned='hover'">raw link</a>

            ![logo](docs/logo.png) ![evil](docs/evil.svg) ![badge](https://img.shields.io/badge/zig-0.15-orange.svg)

            <svg><script>window.pwned='svg'</script></svg>
            <iframe src="javascript:window.pwned='iframe'"></iframe>

            <details><summary>More</summary>Hidden text.</details>

            | column | right |
            |--------|------:|
            | a      | 1     |
            """;
    public static final String EVIL_SVG = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\""
            + " onload=\"window.pwned='svg-onload'\"><script>window.pwned='svg-script'</script>"
            + "<rect width=\"10\" height=\"10\" fill=\"red\"/></svg>\n";

    public final TestServer server;
    public final String greetHash;
    public final String appPinnedCommit;
    private final GitHttpBackend forge;

    private WebFixtures(TestServer server, GitHttpBackend forge, String greetHash, String appPinnedCommit) {
        this.server = server;
        this.forge = forge;
        this.greetHash = greetHash;
        this.appPinnedCommit = appPinnedCommit;
    }

    /** A forge and a packbase under {@code dir}, with both packages fetched. */
    public static WebFixtures start(Path dir) throws Exception {
        Path upstreamRoot = java.nio.file.Files.createDirectories(dir.resolve("upstream"));
        Path scratch = java.nio.file.Files.createDirectories(dir.resolve("scratch"));
        GitHttpBackend forge = GitHttpBackend.start(upstreamRoot);
        TestServer server = TestServer.start(java.nio.file.Files.createDirectories(dir.resolve("root")),
                java.util.Map.of("packbase.seed", "false"));
        try {
            return fetch(server, forge, upstreamRoot, scratch);
        } catch (Exception | AssertionError e) {
            server.close();
            forge.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        forge.close();
    }

    private static WebFixtures fetch(TestServer server, GitHttpBackend forge, Path upstreamRoot, Path scratch)
            throws Exception {
        ZigPackages.greetRepo(upstreamRoot, "greet", scratch, false);
        server.fetch(forge.url("greet"), 200);
        String greetHash = null;
        String greetUrl = null;
        for (JsonNode t : new com.fasterxml.jackson.databind.ObjectMapper().readTree(server.get("/api/info/greet").body())
                .path("tarballs")) {
            if (t.path("tag").asText().equals("v1.1.0")) {
                greetHash = t.path("zig_hash").asText();
                greetUrl = server.uri(t.path("url").asText()).toString();
            }
        }
        UpstreamRepo app = UpstreamRepo.create(upstreamRoot, "app", scratch);
        app.write("build.zig", ZigPackages.LIBRARY_BUILD)
                .write("build.zig.zon", ".{\n    .name = .app,\n    .fingerprint = 0x"
                        + Long.toHexString(ZigPackages.fingerprint("app", 0x5eed0001)) + ",\n    .version = \"1.0.0\",\n"
                        + "    .dependencies = .{\n        .greet = .{ .url = \"" + greetUrl + "\", .hash = \"" + greetHash
                        + "\" },\n    },\n    .paths = .{\"\"},\n}\n")
                .write("src/root.zig", ZigPackages.librarySource("hello from app"))
                .write(BIDI_FILE, "// a file whose name hides a direction control\n")
                .write("page.html", "<script>window.pwned='file'</script>\n")
                .write("docs/guide.md", "# Guide\n")
                .write("docs/logo.png", png())
                .write("docs/evil.svg", EVIL_SVG)
                .write("README.md", HOSTILE_README);
        app.lightweightTag("v1.0.0", app.commit("app 1.0.0", 1_700_200_000L));
        app.write("src/root.zig", ZigPackages.librarySource("hello from app, unreleased"));
        String pinned = app.commit("unreleased", 1_700_300_000L);
        app.publish();
        server.fetch(forge.url("app"), 200);
        server.fetch(forge.url("app") + "#" + pinned, 200);
        // app v1.0.0 keeps its closure (greet is held here by hash, so nothing is asked upstream).
        var closure = server.postJson("/api/closure", "{\"package\":\"app\",\"tag\":\"v1.0.0\"}");
        if (closure.statusCode() != 200 || !closure.body().contains("\"complete\":true")) {
            throw new AssertionError("the closure of app v1.0.0: " + closure.body());
        }
        return new WebFixtures(server, forge, greetHash, pinned);
    }

    /** A real 8×8 PNG. */
    static byte[] png() {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0xf7a41d);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
