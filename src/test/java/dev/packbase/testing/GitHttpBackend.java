package dev.packbase.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Test-only git server: a JDK {@link HttpServer} on 127.0.0.1 (ephemeral port) that serves every bare
 * repository under a project root over smart HTTP (protocol v0 and v2) and dumb HTTP by running the real
 * {@code git http-backend} as a CGI program for each request. Repositories are addressed as
 * {@code /<name>.git/...}. Closing it stops the listener, so later connections are refused.
 */
public final class GitHttpBackend implements AutoCloseable {

    private static final Path DEBIAN_BACKEND = Path.of("/usr/lib/git-core/git-http-backend");
    private static final int MAX_CGI_HEADER_BYTES = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final Path projectRoot;
    private final Path scratch;
    private final Path home;
    private final List<String> command;
    private final AtomicInteger requests = new AtomicInteger();
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private GitHttpBackend(Path projectRoot) throws IOException {
        this.projectRoot = projectRoot.toAbsolutePath().normalize();
        this.scratch = Files.createTempDirectory("git-http-backend");
        this.home = Files.createDirectory(scratch.resolve("home"));
        this.command = Files.isExecutable(DEBIAN_BACKEND)
                ? List.of(DEBIAN_BACKEND.toString())
                : List.of("git", "http-backend");
        AtomicInteger threadNo = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "git-http-backend-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        } catch (IOException e) {
            executor.shutdownNow();
            deleteTree(scratch);
            throw e;
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts serving the bare repositories under {@code projectRoot} (e.g. {@code <root>/lib.git}). */
    public static GitHttpBackend start(Path projectRoot) throws IOException {
        return new GitHttpBackend(projectRoot);
    }

    /** {@code http://127.0.0.1:<port>/<repoName>.git} */
    public String url(String repoName) {
        return "http://127.0.0.1:" + port() + "/" + repoName + ".git";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Number of HTTP requests received so far (any path, any outcome). */
    public int requestCount() {
        return requests.get();
    }

    /** Stops the listener (later connections are refused), kills running CGI processes, removes temp files. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        for (Process p : running) {
            p.destroyForcibly();
        }
        executor.shutdownNow();
        deleteTree(scratch);
    }

    /** A fixed answer at one path: a release asset, or a hostile archive. */
    private record Asset(byte[] body, String contentType) {
    }

    /** GitHub's archive URLs: {@code /<owner>/<repo>/archive/refs/tags/<tag>.tar.gz} or {@code …/archive/<sha>.zip}. */
    private static final java.util.regex.Pattern ARCHIVE = java.util.regex.Pattern.compile(
            "/[^/]+/([^/]+)/archive/(refs/tags/)?([^/]+)\\.(tar\\.gz|zip)");

    private final Map<String, Asset> assets = new ConcurrentHashMap<>();

    /** Serves {@code body} at {@code path} with this Content-Type; returns its URL. */
    public String asset(String path, byte[] body, String contentType) {
        assets.put(path, new Asset(body, contentType));
        return "http://127.0.0.1:" + port() + path;
    }

    /** {@code http://127.0.0.1:<port>/<owner>/<repo>/archive/<ref>.<extension>}, as GitHub names an archive. */
    public String archiveUrl(String owner, String repoName, String ref, String extension) {
        return "http://127.0.0.1:" + port() + "/" + owner + "/" + repoName + "/archive/" + ref + "." + extension;
    }

    /** Answers an asset or a GitHub-style archive made by {@code git archive} (with its pax global header). */
    private boolean archiveOrAsset(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Asset asset = assets.get(path);
        java.util.regex.Matcher m = ARCHIVE.matcher(path);
        if (asset == null && m.matches()) {
            String ref = (m.group(2) == null ? "" : "refs/tags/") + m.group(3);
            String format = m.group(4).equals("zip") ? "zip" : "tar.gz";
            Path out = Files.createTempFile(scratch, "archive", "." + format);
            try {
                Process git = new ProcessBuilder("git", "-c", "tar.tar.gz.command=gzip -cn", "archive", "--format=" + format,
                        "--prefix=" + m.group(1) + "-" + m.group(3) + "/", ref)
                        .directory(projectRoot.resolve(m.group(1) + ".git").toFile())
                        .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                asset = waitFor(git) == 0 ? new Asset(Files.readAllBytes(out), format.equals("zip") ? "application/zip"
                        : "application/x-gzip") : null;
            } finally {
                deleteQuietly(out);
            }
            if (asset == null) {
                sendError(exchange, 404, "no such ref\n");
                return true;
            }
        }
        if (asset == null) {
            return false;
        }
        exchange.getResponseHeaders().set("Content-Type", asset.contentType());
        exchange.sendResponseHeaders(200, asset.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(asset.body());
        }
        return true;
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try {
            if (archiveOrAsset(exchange)) {
                exchange.close();
                return;
            }
        } catch (IOException | RuntimeException e) {
            sendError(exchange, 500, "archive harness: " + e + "\n");
            exchange.close();
            return;
        }
        Path body = null;
        Path stderr = null;
        Process process = null;
        try {
            body = Files.createTempFile(scratch, "body", ".bin");
            long length;
            try (InputStream in = exchange.getRequestBody(); OutputStream out = Files.newOutputStream(body)) {
                length = in.transferTo(out); // HttpServer has already undone any chunked transfer coding
            }
            stderr = Files.createTempFile(scratch, "stderr", ".txt");

            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(body.toFile())
                    .redirectError(stderr.toFile()); // drained by the OS: the process can never block on it
            cgiEnvironment(exchange, length, pb.environment());
            process = pb.start();
            running.add(process);
            relay(exchange, process, stderr);
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                sendError(exchange, 500, "git-http-backend harness: " + e + "\n");
            }
        } finally {
            if (process != null) {
                process.destroyForcibly();
                running.remove(process);
            }
            exchange.close();
            deleteQuietly(body);
            deleteQuietly(stderr);
        }
    }

    private void cgiEnvironment(HttpExchange exchange, long length, Map<String, String> env) {
        String path = System.getenv("PATH");
        env.clear();
        env.put("PATH", path == null ? "/usr/bin:/bin" : path);
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_COUNT", "1");
        env.put("GIT_CONFIG_KEY_0", "safe.directory");
        env.put("GIT_CONFIG_VALUE_0", "*");
        env.put("GIT_PROJECT_ROOT", projectRoot.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");

        Headers h = exchange.getRequestHeaders();
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_PROTOCOL", exchange.getProtocol());
        env.put("SERVER_SOFTWARE", "packbase-test-git-http-backend");
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", exchange.getRequestURI().getPath());
        String query = exchange.getRequestURI().getRawQuery();
        env.put("QUERY_STRING", query == null ? "" : query);
        env.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
        String contentType = h.getFirst("Content-Type");
        if (contentType != null) {
            env.put("CONTENT_TYPE", contentType);
        }
        if (length > 0 || !"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            env.put("CONTENT_LENGTH", Long.toString(length));
        }
        String encoding = h.getFirst("Content-Encoding");
        if (encoding != null) {
            env.put("HTTP_CONTENT_ENCODING", encoding);
        }
        String gitProtocol = h.getFirst("Git-Protocol");
        if (gitProtocol != null) {
            env.put("GIT_PROTOCOL", gitProtocol);
            env.put("HTTP_GIT_PROTOCOL", gitProtocol);
        }
    }

    private void relay(HttpExchange exchange, Process process, Path stderr) throws IOException {
        try (InputStream out = new BufferedInputStream(process.getInputStream())) {
            List<String> headerLines = readCgiHeaders(out);
            if (headerLines == null) { // no complete header block: the CGI program failed
                int exit = waitFor(process);
                sendError(exchange, 500, "git http-backend failed (exit " + exit + "):\n"
                        + Files.readString(stderr, StandardCharsets.UTF_8));
                return;
            }
            int status = -1;
            boolean redirect = false;
            Headers response = exchange.getResponseHeaders();
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("status")) {
                    int sp = value.indexOf(' ');
                    status = Integer.parseInt(sp < 0 ? value : value.substring(0, sp));
                } else if (lower.equals("content-length") || lower.equals("transfer-encoding")
                        || lower.equals("connection")) {
                    continue; // HttpServer frames the response itself
                } else {
                    if (lower.equals("location")) {
                        redirect = true;
                    }
                    response.add(name, value);
                }
            }
            if (status < 0) {
                status = redirect ? 302 : 200;
            }
            boolean noBody = "HEAD".equals(exchange.getRequestMethod()) || status == 204 || status == 304;
            exchange.sendResponseHeaders(status, noBody ? -1 : 0); // 0 = chunked, streamed as produced
            if (noBody) {
                out.transferTo(OutputStream.nullOutputStream());
            } else {
                try (OutputStream body = exchange.getResponseBody()) {
                    out.transferTo(body);
                }
            }
            int exit = waitFor(process);
            if (exit != 0 && !closed) {
                System.err.println("git http-backend exited " + exit + " after sending headers for "
                        + exchange.getRequestURI() + ":\n" + Files.readString(stderr, StandardCharsets.UTF_8));
            }
        }
    }

    /** Reads CGI header lines up to the blank line; {@code null} if stdout ends or overflows first. */
    private static List<String> readCgiHeaders(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        int b;
        while ((b = in.read()) >= 0) {
            if (++total > MAX_CGI_HEADER_BYTES) {
                return null;
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
                line.reset();
            } else {
                line.write(b);
            }
        }
        return null;
    }

    private static int waitFor(Process process) throws IOException {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for git http-backend", e);
        }
    }

    private static void sendError(HttpExchange exchange, int status, String message) {
        try {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        } catch (IOException | RuntimeException ignored) {
            // headers may already be on the wire, or the client has gone away
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort; the scratch directory is removed on close
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(GitHttpBackend::deleteQuietly);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
