package dev.packbase.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Packbase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * packbase in-process on Jetty 12 ee10, bound to 127.0.0.1 port 0, deployed from the real
 * {@code src/main/webapp/WEB-INF/web.xml} with the test classpath's classes. Settings are given as
 * servlet context-params (the same route a Tomcat context XML takes). With {@code -Dpackbase.it.storage=s3}
 * the server keeps everything in a bucket of a real S3 server instead of the root ({@link SharedS3Engine}):
 * the integration phase runs its suites of tarballs, Git, Zig, closures and the API once per backend.
 */
public final class TestServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Server server;
    private final WebAppContext context;
    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private TestServer(Server server, WebAppContext context, URI base) {
        this.server = server;
        this.context = context;
        this.base = base;
    }

    public static TestServer start(Path root, Map<String, String> settings) {
        return start(root, "/", settings);
    }

    public static TestServer start(Path root, String contextPath, Map<String, String> settings) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebAppContext context = new WebAppContext();
        context.setContextPath(contextPath);
        context.setBaseResourceAsPath(Path.of("src/main/webapp").toAbsolutePath());
        context.setDescriptor(Path.of("src/main/webapp/WEB-INF/web.xml").toAbsolutePath().toString());
        context.setParentLoaderPriority(true);
        context.setThrowUnavailableOnStartupException(true);
        context.setInitParameter("packbase.root", root.toString());
        SharedS3Engine.settingsFor(root).forEach(context::setInitParameter);
        settings.forEach(context::setInitParameter);
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // best effort
            }
            throw new IllegalStateException("packbase did not start: " + e, e);
        }
        Object started = context.getServletContext().getAttribute(Packbase.class.getName());
        if (SharedS3Engine.enabled() && !(started instanceof Packbase p && p.storage().describe().startsWith("s3://"))) {
            throw new IllegalStateException("-Dpackbase.it.storage=s3, but the server did not open a bucket");
        }
        String path = contextPath.equals("/") ? "" : contextPath;
        URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
        return new TestServer(server, context, base);
    }

    public HttpClient getClient() {
        return client;
    }

    public URI uri(String path) {
        return URI.create(base + path);
    }

    public Packbase packbase() {
        return (Packbase) context.getServletContext().getAttribute(Packbase.class.getName());
    }

    /** A servlet-context attribute of the webapp, such as the tarball fast path the standalone launcher uses. */
    public Object attribute(String name) {
        return context.getServletContext().getAttribute(name);
    }

    /**
     * An object's bytes as this server stores them, on either backend (the root directory, or a bucket
     * under {@code -Dpackbase.it.storage=s3}); {@link java.nio.file.NoSuchFileException} when it is absent.
     */
    public byte[] stored(String key) throws java.io.IOException {
        try (java.io.InputStream in = packbase().storage().open(key)) {
            return in.readAllBytes();
        }
    }

    public String storedText(String key) throws java.io.IOException {
        return new String(stored(key), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Whether this server stores an object under {@code key}. */
    public boolean holds(String key) throws java.io.IOException {
        return packbase().storage().stat(key).isPresent();
    }

    /** Every object this server stores (public files and state; no scratch work), sorted. */
    public java.util.List<String> storedKeys() throws java.io.IOException {
        java.util.List<String> keys = new java.util.ArrayList<>();
        for (String prefix : java.util.List.of("p/", "h/", ".packbase/")) {
            packbase().storage().list(prefix).stream().filter(k -> !k.startsWith(".packbase/tmp/")).forEach(keys::add);
        }
        return keys;
    }

    public HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<byte[]> getBytes(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> postJson(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /** {@code POST /api/fetch} of {@code url}, asserting the status; the answer's JSON. */
    public JsonNode fetch(String url, int expectedStatus) throws Exception {
        HttpResponse<String> r = postJson("/api/fetch", JSON.writeValueAsString(Map.of("url", url)));
        assertEquals(expectedStatus, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
