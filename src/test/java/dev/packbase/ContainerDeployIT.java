package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.Zig;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.ServletContainer;
import dev.packbase.testing.StandaloneProcess;
import dev.packbase.testing.Tarballs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same target/packbase.war, unchanged, deployed into the real Tomcat 10.1, Tomcat 11 and Jetty 12 (ee10)
 * distributions from Maven Central (pom.xml, execution container-distributions): it boots with settings given as
 * container JVM system properties, serves the seeded tarball and the API, ingests from a real git upstream,
 * answers container-raised errors as packbase JSON and logs its settings into the container's log.
 */
class ContainerDeployIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final String UPSTREAM = "zlib-lite";

    @TempDir
    Path work;
    @TempDir
    Path root;
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private GitHttpBackend upstream;

    static Stream<Named<String>> containers() {
        return Stream.of(Named.of("Tomcat 10.1", "tomcat-10.1."), Named.of("Tomcat 11", "tomcat-11.0."),
                Named.of("Jetty 12 ee10", "jetty-home-12."));
    }

    @BeforeEach
    void upstream() throws IOException {
        Fixtures.richRepo(upstreamRoot, UPSTREAM, scratch);
        upstream = GitHttpBackend.start(upstreamRoot);
    }

    @AfterEach
    void stopUpstream() {
        if (upstream != null) {
            upstream.close();
        }
    }

    @ParameterizedTest(name = "{0} at /")
    @MethodSource("containers")
    void warDeploysUnchangedAtRoot(String distribution) {
        try (ServletContainer container = start(distribution, "/")) {
            assertAll(container.distribution().name() + " at /",
                    () -> assertStatusIsPackbase(container),
                    () -> assertSeededTarballDownloads(container),
                    () -> assertFetchedTarballMatchesRoot(container, "/p/"),
                    () -> assertContainerErrorIsJson(container, "/WEB-INF/web.xml"),
                    () -> assertContainerErrorIsJson(container, "/dev/packbase/runner/Bootstrap.class"),
                    () -> assertGitAndZigWork(container),
                    () -> assertStartupLogged(container, "/"));
        }
    }

    @Test
    void tomcat11AtContextPathPackbase() {
        try (ServletContainer container = start("tomcat-11.0.", "/packbase")) {
            assertAll(container.distribution().name() + " at /packbase",
                    () -> assertStatusIsPackbase(container),
                    () -> assertSeededTarballDownloads(container),
                    () -> assertFetchedTarballMatchesRoot(container, "/packbase/p/"),
                    () -> assertContainerErrorIsJson(container, "/WEB-INF/web.xml"),
                    () -> assertGitAndZigWork(container),
                    () -> assertStartupLogged(container, "/packbase"));
        }
    }

    /**
     * With the heap cache off, Tomcat sends every tarball itself through the sendfile request attributes
     * (TarballServlet): the bytes, ranges, HEAD and conditional answers must be what the file and HTTP say.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tomcat-10.1.", "tomcat-11.0."})
    void tomcatSendfileServesTarballsExactly(String distribution) throws Exception {
        try (ServletContainer c = ServletContainer.builder(ServletContainer.distribution(distribution),
                        StandaloneProcess.packagedWar(), work)
                .systemProperty("packbase.root", root.toString())
                .systemProperty("packbase.tarball.cache.bytes", "0")
                .start()) {
            String path = "/p/hello/tag/v0.1.0.tar.gz";
            byte[] file = Files.readAllBytes(root.resolve(path.substring(1)));

            HttpResponse<byte[]> full = tarball(c, path, "GET");
            assertEquals(200, full.statusCode(), c::describe);
            assertArrayEquals(file, full.body(), c::describe);
            assertEquals(String.valueOf(file.length), full.headers().firstValue("Content-Length").orElse(""), c::describe);
            String etag = full.headers().firstValue("ETag").orElseThrow();

            HttpResponse<byte[]> range = tarball(c, path, "GET", "Range", "bytes=10-19");
            assertEquals(206, range.statusCode(), c::describe);
            assertArrayEquals(java.util.Arrays.copyOfRange(file, 10, 20), range.body(), c::describe);
            assertEquals("bytes 10-19/" + file.length, range.headers().firstValue("Content-Range").orElse(""));

            HttpResponse<byte[]> suffix = tarball(c, path, "GET", "Range", "bytes=-7");
            assertArrayEquals(java.util.Arrays.copyOfRange(file, file.length - 7, file.length), suffix.body(), c::describe);

            HttpResponse<byte[]> head = tarball(c, path, "HEAD");
            assertEquals(200, head.statusCode(), c::describe);
            assertEquals(0, head.body().length, c::describe);
            assertEquals(String.valueOf(file.length), head.headers().firstValue("Content-Length").orElse(""), c::describe);

            assertEquals(304, tarball(c, path, "GET", "If-None-Match", etag).statusCode(), c::describe);
            assertArrayEquals(file, tarball(c, path, "GET").body(), "the connection is still usable after a sendfile");
        }
    }

    private HttpResponse<byte[]> tarball(ServletContainer c, String path, String method, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(c.uri(path)).timeout(REQUEST_TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Tomcat's own configuration idiom: a context XML with <Parameter> entries, no JVM flags. */
    @Test
    void tomcatContextXmlParametersConfigurePackbase() throws Exception {
        try (ServletContainer container = ServletContainer.builder(ServletContainer.distribution("tomcat-10.1."),
                        StandaloneProcess.packagedWar(), work)
                .contextParameter("packbase.root", root.toString())
                .contextParameter("packbase.release", "r-context-xml")
                .start()) {
            JsonNode status = json(container, send(container, HttpRequest.newBuilder(container.uri("/api/status")).GET()));
            assertEquals("r-context-xml", status.path("release").asText(), container::describe);
            assertTrue(Files.exists(root.resolve("p/hello/tag/v0.1.0.tar.gz")), container::describe);
            assertTrue(container.log().contains("setting packbase.root = " + root), container::describe);
            assertTrue(container.log().contains("(context-param packbase.root)"), container::describe);
        }
    }

    private ServletContainer start(String distribution, String contextPath) {
        long started = System.nanoTime();
        ServletContainer container = ServletContainer.builder(ServletContainer.distribution(distribution),
                        StandaloneProcess.packagedWar(), work)
                .contextPath(contextPath)
                .systemProperty("packbase.root", root.toString())
                .start();
        System.out.printf("%s at %s ready in %d ms (unpack included)%n", container.distribution(), contextPath,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        return container;
    }

    private void assertStatusIsPackbase(ServletContainer c) throws Exception {
        HttpResponse<String> response = send(c, HttpRequest.newBuilder(c.uri("/api/status")).GET());
        assertEquals(200, response.statusCode(), () -> response.body() + c.describe());
        JsonNode status = json(c, response);
        assertEquals("packbase", status.path("service").asText(), () -> response.body() + c.describe());
    }

    private void assertSeededTarballDownloads(ServletContainer c) throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(c.uri("/p/hello/tag/v0.1.0.tar.gz"))
                .header("Accept-Encoding", "gzip").timeout(REQUEST_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), () -> new String(response.body()) + c.describe());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        assertEquals("application/gzip", contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT),
                () -> "Content-Type: " + contentType + c.describe());
        assertFalse(response.headers().firstValue("Content-Encoding").isPresent(),
                () -> "the container re-encoded the tarball: " + response.headers().map() + c.describe());
        assertTrue(Tarballs.gunzip(response.body()).length > 0, () -> "empty tarball" + c.describe());
    }

    private void assertFetchedTarballMatchesRoot(ServletContainer c, String urlPrefix) throws Exception {
        String body = "{\"url\":\"git+" + upstream.url(UPSTREAM) + "\"}";
        HttpResponse<String> response = send(c, HttpRequest.newBuilder(c.uri("/api/fetch"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, response.statusCode(), () -> response.body() + c.describe());
        JsonNode fetched = json(c, response);
        assertEquals(UPSTREAM, fetched.path("package").asText(), response::body);
        String tag = fetched.path("tag").asText();
        String url = fetched.path("url").asText();
        assertEquals(urlPrefix + UPSTREAM + "/tag/" + tag + ".tar.gz", url, response::body);

        HttpResponse<byte[]> tarball = http.send(HttpRequest.newBuilder(c.serverUri(url)).timeout(REQUEST_TIMEOUT)
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, tarball.statusCode(), () -> "GET " + url + c.describe());
        Path file = root.resolve("p").resolve(UPSTREAM).resolve("tag").resolve(tag + ".tar.gz");
        assertArrayEquals(Files.readAllBytes(file), tarball.body(), () -> "GET " + url + " differs from " + file);
    }

    /**
     * The Git layer through the root alias (under the context path), and real zig 0.15.1 over the
     * tarball and git+http URLs, agreeing with the hash and snippet packbase reports.
     */
    private void assertGitAndZigWork(ServletContainer c) throws Exception {
        Path clone = Files.createTempDirectory(work, "clone");
        Map<String, String> env = Map.of("HOME", clone.toString(), "GIT_CONFIG_NOSYSTEM", "1");
        Cmd.run(clone, env, List.of("git", "clone", "-q", c.uri("/hello").toString(), "hello"));
        Cmd.run(clone, env, List.of("git", "-C", "hello", "fsck", "--strict"));
        assertTrue(Files.exists(clone.resolve("hello/build.zig.zon")), c::describe);

        JsonNode tarball = json(c, send(c, HttpRequest.newBuilder(c.uri("/api/info/hello")).GET())).path("tarballs").get(0);
        String url = c.uri("/p/hello/tag/v0.1.0.tar.gz").toString();
        assertEquals(".hello = .{ .url = \"" + url + "\", .hash = \"" + tarball.path("zig_hash").asText() + "\" },",
                tarball.path("zig_dependency").asText(), c::describe);
        Zig zig = Zig.require("0.15.1");
        Path cache = Files.createTempDirectory(work, "zig");
        String viaTarball = Zig.lastLine(zig.ok(cache, cache, "fetch", url).stdout());
        String viaGit = Zig.lastLine(zig.ok(cache, cache, "fetch", "git+" + c.uri("/hello") + "#v0.1.0").stdout());
        assertEquals(tarball.path("zig_hash").asText(), viaTarball, c::describe);
        assertEquals(viaTarball, viaGit, c::describe);
    }

    /** Raised by the container itself (WEB-INF, the security constraint on the launcher), answered by packbase. */
    private void assertContainerErrorIsJson(ServletContainer c, String path) throws Exception {
        HttpResponse<String> response = send(c, HttpRequest.newBuilder(c.uri(path)).GET());
        int code = response.statusCode();
        assertTrue(code == 403 || code == 404, () -> "GET " + path + " answered " + code + ": " + response.body()
                + c.describe());
        assertFalse(response.body().toLowerCase(Locale.ROOT).contains("<html"),
                () -> "GET " + path + " answered HTML: " + response.body() + c.describe());
        JsonNode error = json(c, response);
        assertTrue(error.path("status").isTextual() && !error.path("status").asText().isEmpty(),
                () -> "GET " + path + " has no status field: " + response.body() + c.describe());
    }

    /** packbase logs through java.util.logging; the container routes that into its own console log. */
    private void assertStartupLogged(ServletContainer c, String contextPath) {
        String log = c.log();
        String setting = "setting packbase.root = " + root;
        assertTrue(log.lines().anyMatch(line -> line.contains(setting) && line.contains("(system property packbase.root)")),
                () -> "no '" + setting + " … (system property packbase.root)' line in the container log" + c.describe());
        String started = "at context path '" + (contextPath.equals("/") ? "" : contextPath) + "'";
        assertTrue(log.contains(started), () -> "no startup line with " + started + c.describe());
    }

    private HttpResponse<String> send(ServletContainer c, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        return http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(ServletContainer c, HttpResponse<String> response) throws IOException {
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        URI uri = response.uri();
        assertTrue(contentType.startsWith("application/json"),
                () -> uri + " Content-Type: " + contentType + "\n" + response.body() + c.describe());
        return JSON.readTree(response.body());
    }
}
