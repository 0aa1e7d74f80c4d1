package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Await;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.HtmlChecker;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.WebFixtures;
import dev.packbase.testing.Zig;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web face over HTTP: browsers get pages on the same URLs where git, zig and JSON clients keep their
 * answers; every page is valid HTML (Nu HTML Checker), carries a strict CSP and an ETag; dependencies and
 * dependents link both ways; README images come from the tarball and nothing else is sent raw.
 */
class WebFaceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    @TempDir
    static Path dir;
    @TempDir
    static Path work;

    static WebFixtures fixtures;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        fixtures = WebFixtures.start(dir);
        server = fixtures.server;
    }

    @AfterAll
    static void stop() throws Exception {
        fixtures.close();
    }

    private static HttpResponse<String> page(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).header("Accept", BROWSER);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return server.send(b);
    }

    private static HttpResponse<String> other(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return server.send(b);
    }

    private static List<String> pages() {
        return List.of("/", "/?q=greet", "/?q=nothing+matches+this", "/?sort=date", "/?page=7", "/greet", "/greet/v1.0.0",
                "/app", "/app/v1.0.0", "/app/commit/" + fixtures.appPinnedCommit, "/app/v1.0.0/-/", "/app/v1.0.0/-/src",
                "/app/v1.0.0/-/src/root.zig", "/app/v1.0.0/-/docs/logo.png", "/app/v1.0.0/-/page.html",
                "/app/commit/" + fixtures.appPinnedCommit + "/-/src/root.zig", "/-/status");
    }

    @Test
    void browsersGetPagesAndEveryOtherClientKeepsItsAnswerOnTheSameUrls() throws Exception {
        for (String path : pages()) {
            HttpResponse<String> r = page(path);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), path);
            assertEquals(PageHandler.POLICY, r.headers().firstValue("Content-Security-Policy").orElse(null), path);
            assertEquals("Accept", r.headers().firstValue("Vary").orElse(null), path);
        }
        // Not browsers: curl (*/*), an API client (JSON), no Accept at all.
        for (String accept : new String[] {"*/*", "application/json", null}) {
            HttpResponse<String> rootAnswer = other("/", accept);
            assertEquals(200, rootAnswer.statusCode());
            assertEquals("packbase", JSON.readTree(rootAnswer.body()).path("service").asText(), rootAnswer.body());
            for (String path : List.of("/greet", "/greet/v1.0.0", "/-/status", "/app/v1.0.0/-/src/root.zig")) {
                HttpResponse<String> r = other(path, accept);
                assertEquals(404, r.statusCode(), path);
                assertEquals("not_found", JSON.readTree(r.body()).path("status").asText(), path + ": " + r.body());
            }
        }
        // A browser downloading a tarball gets the tarball, byte for byte what curl gets.
        byte[] tarball = server.getBytes("/p/greet/tag/v1.1.0.tar.gz").body();
        assertArrayEquals(tarball, server.getBytes("/p/greet/tag/v1.1.0.tar.gz", "Accept", BROWSER).body());
        // Git and zig on the package's URL.
        Cmd.Result refs = Cmd.exec(work, Map.of("HOME", work.toString()), List.of("git", "ls-remote", "--tags",
                server.uri("/greet").toString()));
        assertTrue(refs.stdout().contains("refs/tags/v1.1.0"), refs.stdout());
        Path clone = work.resolve("clone");
        Cmd.exec(work, Map.of("HOME", work.toString()), List.of("git", "clone", "-q", "--depth", "1", "--branch", "v1.1.0",
                server.uri("/greet").toString(), clone.toString()));
        assertTrue(Files.readString(clone.resolve("src/root.zig")).contains("greet 1.1.0"));
        Zig zig = Zig.require("0.15.1");
        String hash = Zig.lastLine(zig.ok(work, work.resolve("zig-cache"), "fetch", "git+" + server.uri("/greet")
                + "#v1.1.0").stdout());
        assertEquals(fixtures.greetHash, hash);
    }

    @Test
    void everyPageIsValidHtml() throws Exception {
        for (String path : pages()) {
            List<String> errors = HtmlChecker.errors(page(path).body());
            assertEquals(List.of(), errors, path);
        }
        HttpResponse<String> missing = page("/no-such-package");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("no package named"), missing.body());
        assertEquals(List.of(), HtmlChecker.errors(missing.body()), "the 404 page");
        assertEquals(404, page("/greet/v9.9.9").statusCode());
        assertEquals(404, page("/app/v1.0.0/-/no/such/file").statusCode());
    }

    @Test
    void pagesHaveAnETagAndAnswer304AndHead() throws Exception {
        HttpResponse<String> first = page("/greet");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertEquals(first.body(), page("/greet").body(), "a page is rendered the same way twice");
        assertEquals(304, page("/greet", "If-None-Match", etag).statusCode());
        HttpResponse<String> head = server.send(HttpRequest.newBuilder(server.uri("/greet")).header("Accept", BROWSER)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals(etag, head.headers().firstValue("ETag").orElseThrow());
        assertEquals("", head.body());
    }

    @Test
    void aPackageShowsItsVersionsSnippetsDependenciesAndDependents() throws Exception {
        String greet = page("/greet").body();
        assertTrue(greet.contains("zig fetch --save " + server.uri("/p/greet/tag/v1.1.0.tar.gz")), greet);
        assertTrue(greet.contains("zig fetch --save git+" + server.uri("/greet") + "#v1.1.0"), greet);
        assertTrue(greet.contains("&quot;" + fixtures.greetHash + "&quot;"), "the 0.14+ hash");
        JsonNode info = JSON.readTree(server.get("/api/info/greet").body());
        String legacy = null;
        for (JsonNode t : info.path("tarballs")) {
            if (t.path("tag").asText().equals("v1.1.0")) {
                legacy = t.path("zig_hash_legacy").asText();
            }
        }
        assertTrue(greet.contains(legacy), "the 0.12/0.13 hash " + legacy);
        assertTrue(greet.contains(">v1.0.0</a>") && greet.contains(">v1.1.0</a>"), greet);
        assertTrue(greet.contains("<a href=\"/app\">app</a>"), "greet is used by app: " + greet);

        String app = page("/app").body();
        assertTrue(app.contains("<a href=\"/greet/v1.1.0\">greet v1.1.0</a>"), "app's dependency is held here: " + app);
        assertTrue(app.contains("Pinned commits") && app.contains("/app/commit/" + fixtures.appPinnedCommit), app);
        assertTrue(app.contains("An app that greets through greet") || app.contains("An app that greets through"), app);
        assertTrue(app.contains("Dependency closure") && app.contains("Complete:")
                && app.contains("href=\"/api/closure/app/v1.0.0\""), "the kept closure is shown: " + app);
        String commit = page("/app/commit/" + fixtures.appPinnedCommit).body();
        assertTrue(commit.contains("#" + fixtures.appPinnedCommit), "the Git command names the commit: " + commit);
        Await.until("the index to describe app", Duration.ofSeconds(30),
                () -> page("/").body().contains("An app that greets through greet, with a hostile README."));
    }

    @Test
    void readmeImagesComeFromTheTarballAndNothingElseIsSentRaw() throws Exception {
        String app = page("/app").body();
        assertTrue(app.contains("src=\"/app/v1.0.0/-/docs/logo.png?raw\""), app);
        assertFalse(app.contains("shields.io"), "no image from another host");
        HttpResponse<byte[]> png = server.getBytes("/app/v1.0.0/-/docs/logo.png?raw", "Accept", "image/avif,image/webp,*/*");
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(null));
        assertTrue(png.headers().firstValue("Content-Security-Policy").orElse("").contains("sandbox"));
        assertEquals(0x89, png.body()[0] & 0xff);
        assertEquals(404, server.getBytes("/app/v1.0.0/-/page.html?raw").statusCode(), "an HTML file is never sent raw");
        assertEquals(404, server.getBytes("/app/v1.0.0/-/src/root.zig?raw").statusCode());
        HttpResponse<byte[]> svg = server.getBytes("/app/v1.0.0/-/docs/evil.svg?raw");
        assertEquals("image/svg+xml", svg.headers().firstValue("Content-Type").orElse(null));
        assertTrue(svg.headers().firstValue("Content-Security-Policy").orElse("").contains("sandbox"),
                "an SVG opened directly runs nothing");
    }

    @Test
    void hostileNamesAndContentAreShownAsText() throws Exception {
        String files = page("/app/v1.0.0/-/src").body();
        assertFalse(files.contains("\u202E"), "no direction control reaches the page");
        assertTrue(files.contains("evil&lt;U+202E&gt;txt.zig"), files);
        String html = page("/app/v1.0.0/-/page.html").body();
        assertTrue(html.contains("&lt;script&gt;window.pwned"), html);
        String app = page("/app").body();
        for (String bad : List.of("<script>window", "onerror", "onmouseover", "javascript:", "<svg", "<iframe")) {
            assertFalse(app.contains(bad), bad);
        }
    }

    @Test
    void theStatusPageShowsCountsHealthAndTheLastUpdateRun() throws Exception {
        HttpResponse<String> run = server.postJson("/api/update", "{}");
        assertEquals(200, run.statusCode(), run.body());
        String status = page("/-/status").body();
        assertTrue(status.contains("<dt>Packages</dt><dd>2 (2 mirrored"), status);
        assertTrue(status.contains("<dt>Healthy</dt><dd>2</dd>"), status);
        assertTrue(status.contains("<dt>State</dt><dd>idle</dd>") && status.contains("<dt>Failed</dt><dd>0</dd>"), status);
        assertTrue(status.contains("href=\"/api/status\""), status);
        assertEquals(List.of(), HtmlChecker.errors(status));
    }
}
