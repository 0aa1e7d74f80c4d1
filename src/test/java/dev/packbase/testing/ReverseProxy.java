package dev.packbase.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real nginx or Caddy on 127.0.0.1 (a free port) in front of an upstream, configured from the
 * operator templates kept in the repository ({@code docker/nginx/packbase.conf},
 * {@code docker/caddy/Caddyfile}). The template is rendered into the given directory with the real
 * addresses and wrapped in a minimal main configuration whose every path (pid, logs, temp files,
 * Caddy's storage) is inside that directory. The proxy runs in the foreground as a child of this JVM.
 */
public final class ReverseProxy implements AutoCloseable {

    /** The two supported proxies, with their template and the placeholders it must contain. */
    public enum Kind {
        NGINX("nginx", Path.of("docker/nginx/packbase.conf"), "${PACKBASE_LISTEN}", "${PACKBASE_UPSTREAM}"),
        CADDY("caddy", Path.of("docker/caddy/Caddyfile"), "{$PACKBASE_SITE}", "{$PACKBASE_UPSTREAM}");

        final String binary;
        final Path template;
        final String listenPlaceholder;
        final String upstreamPlaceholder;

        Kind(String binary, Path template, String listenPlaceholder, String upstreamPlaceholder) {
            this.binary = binary;
            this.template = template;
            this.listenPlaceholder = listenPlaceholder;
            this.upstreamPlaceholder = upstreamPlaceholder;
        }

        @Override
        public String toString() {
            return binary;
        }
    }

    private static final long START_DEADLINE_SECONDS = 30;
    private static final int ATTEMPTS = 3; // a free port can be taken between probing it and the proxy binding it

    private final Kind kind;
    private final Process process;
    private final URI base;
    private final Path dir;
    private final StringBuffer output;
    private final Thread drain;

    private ReverseProxy(Kind kind, Process process, URI base, Path dir, StringBuffer output, Thread drain) {
        this.kind = kind;
        this.process = process;
        this.base = base;
        this.dir = dir;
        this.output = output;
        this.drain = drain;
    }

    /**
     * Starts {@code kind} in front of {@code upstream} ({@code http://host:port}, no path), keeping its
     * files in {@code dir}. Returns once the proxy has logged that it serves and accepts a connection.
     */
    public static ReverseProxy start(Kind kind, URI upstream, Path dir) {
        return start(kind, base(upstream), dir);
    }

    /**
     * Caddy balancing over several packbase nodes, from the same Caddyfile: {@code PACKBASE_UPSTREAM} holds
     * the node URLs separated by spaces, which Caddy substitutes before it splits the directive's arguments.
     */
    public static ReverseProxy balancing(java.util.List<URI> upstreams, Path dir) {
        return start(Kind.CADDY, String.join(" ", upstreams.stream().map(ReverseProxy::base).toList()), dir);
    }

    private static String base(URI upstream) {
        if (upstream.getRawPath() != null && !upstream.getRawPath().isEmpty() && !upstream.getRawPath().equals("/")
                || upstream.getRawQuery() != null) {
            throw new IllegalArgumentException("upstream must be scheme://host:port only: " + upstream);
        }
        return upstream.getScheme() + "://" + upstream.getRawAuthority();
    }

    private static ReverseProxy start(Kind kind, String upstreamBase, Path dir) {
        Path binary = findBinary(kind.binary);
        String template = readTemplate(kind);
        AssertionError failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Path runDir = createDirectories(dir.resolve(kind.binary + "-" + attempt));
            int port = freePort();
            try {
                return launch(kind, binary, template, upstreamBase, port, runDir);
            } catch (PortTaken e) {
                failure = new AssertionError(kind + " could not bind 127.0.0.1:" + port + ":\n" + e.getMessage());
            }
        }
        throw failure;
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public URI baseUri() {
        return base;
    }

    /** {@code baseUri() + path}. */
    public URI uri(String path) {
        return URI.create(base + path);
    }

    public Kind kind() {
        return kind;
    }

    /** What the proxy wrote to stdout/stderr so far, then nginx's access log (Caddy logs none by default). */
    public String log() {
        StringBuilder sb = new StringBuilder(output);
        Path access = dir.resolve("access.log");
        if (Files.exists(access)) {
            try {
                sb.append("--- access.log ---\n").append(Files.readString(access, StandardCharsets.UTF_8));
            } catch (IOException e) {
                sb.append("(access.log unreadable: ").append(e).append(")\n");
            }
        }
        return sb.toString();
    }

    /** Stops the proxy it started (SIGTERM, then SIGKILL of it and its workers if it lingers). */
    @Override
    public void close() {
        stop(process);
        try {
            drain.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static final class PortTaken extends Exception {
        private static final long serialVersionUID = 1L;

        PortTaken(String log) {
            super(log, null, false, false);
        }
    }

    private static ReverseProxy launch(Kind kind, Path binary, String template, String upstream, int port, Path dir)
            throws PortTaken {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        ProcessBuilder pb = new ProcessBuilder().directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        String readyMarker;
        if (kind == Kind.NGINX) {
            Path site = write(dir.resolve("packbase.conf"), render(kind, template, "127.0.0.1:" + port, upstream));
            Path main = write(dir.resolve("nginx.conf"), nginxMain(dir, site));
            // -e: the error log used before the configuration is read (else the compiled-in /var/log path).
            command.addAll(List.of("-p", dir + "/", "-e", "stderr", "-c", main.toString()));
            readyMarker = "start worker process";
        } else {
            Path site = write(dir.resolve("packbase.caddy"), render(kind, template, "http://127.0.0.1:" + port, upstream));
            Path main = write(dir.resolve("Caddyfile"), caddyMain(dir, site));
            env.put("HOME", createDirectories(dir.resolve("home")).toString());
            env.put("XDG_DATA_HOME", createDirectories(dir.resolve("data")).toString());
            env.put("XDG_CONFIG_HOME", createDirectories(dir.resolve("config")).toString());
            command.addAll(List.of("run", "--config", main.toString(), "--adapter", "caddyfile"));
            readyMarker = "serving initial configuration";
        }
        pb.command(command);

        Process process;
        try {
            process = pb.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        StringBuffer output = new StringBuffer();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.append(line).append('\n');
                    if (line.contains(readyMarker)) {
                        ready.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the process went away; the exit is reported below
            }
            ready.completeExceptionally(new IllegalStateException("output ended"));
        }, kind + "-output");
        drain.setDaemon(true);
        drain.start();

        ReverseProxy proxy = new ReverseProxy(kind, process, URI.create("http://127.0.0.1:" + port), dir, output, drain);
        try {
            // Blocks on the proxy's own log line (it listens before it logs it); no polling.
            ready.get(START_DEADLINE_SECONDS, TimeUnit.SECONDS);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            }
            return proxy;
        } catch (ExecutionException e) {
            proxy.close();
            String log = proxy.log();
            if (log.toLowerCase(java.util.Locale.ROOT).contains("address already in use")) {
                throw new PortTaken(log);
            }
            throw new AssertionError(kind + " exited before serving (exit " + process.exitValue() + "):\n" + log);
        } catch (TimeoutException | IOException e) {
            proxy.close();
            throw new AssertionError(kind + " did not serve on 127.0.0.1:" + port + " within "
                    + START_DEADLINE_SECONDS + " s (" + e + "):\n" + proxy.log());
        } catch (InterruptedException e) {
            proxy.close();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted starting " + kind, e);
        }
    }

    private static String render(Kind kind, String template, String listen, String upstream) {
        return template.replace(kind.listenPlaceholder, listen).replace(kind.upstreamPlaceholder, upstream);
    }

    private static String nginxMain(Path dir, Path site) {
        // As root, nginx runs its worker as nobody (the "user" directive is ignored for anyone else).
        // The worker needs its temp paths when a body or response overflows memory, so as root they
        // are world-writable and the directories above them (up to the caller's temp dir)
        // traversable. As any other user nothing is changed.
        Path temp = createDirectories(dir.resolve("temp"));
        boolean root = ownerUid(dir) == 0;
        StringBuilder temps = new StringBuilder();
        for (String t : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Path p = createDirectories(temp.resolve(t));
            if (root) {
                addPermissions(p, "rwxrwxrwx");
            }
            temps.append("    ").append(t).append("_temp_path ").append(p).append(";\n");
        }
        if (root) {
            for (Path p : List.of(temp, dir, dir.getParent())) {
                addPermissions(p, "--x--x--x");
            }
        }
        return "daemon off;\n"
                + "master_process on;\n"
                + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log stderr notice;\n"
                + "events { worker_connections 256; }\n"
                + "http {\n"
                + "    log_format packbase '$remote_addr \"$request\" $status $body_bytes_sent '\n"
                + "        'req_len=$request_length te=\"$http_transfer_encoding\" cl=\"$http_content_length\" '\n"
                + "        'upstream=$upstream_status rt=$request_time';\n"
                + "    access_log " + dir.resolve("access.log") + " packbase;\n"
                + temps
                + "    include " + site + ";\n"
                + "}\n";
    }

    private static String caddyMain(Path dir, Path site) {
        return "{\n"
                + "\tadmin off\n"
                + "\tauto_https off\n"
                + "\tdefault_bind 127.0.0.1\n"
                + "\tstorage file_system " + createDirectories(dir.resolve("storage")) + "\n"
                + "}\n"
                + "import " + site + "\n";
    }

    private static String readTemplate(Kind kind) {
        Path template = kind.template.toAbsolutePath();
        String text;
        try {
            text = Files.readString(template, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + kind + " template " + template, e);
        }
        for (String placeholder : List.of(kind.listenPlaceholder, kind.upstreamPlaceholder)) {
            if (!text.contains(placeholder)) {
                throw new AssertionError(template + " lacks the placeholder " + placeholder);
            }
        }
        return text;
    }

    private static Path findBinary(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"));
        for (String d : dirs) {
            if (!d.isEmpty()) {
                Path candidate = Path.of(d, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new AssertionError(name + " is not installed (not on PATH nor in /usr/sbin): run tools/install-test-deps.sh");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList(); // nginx's worker
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int ownerUid(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static void addPermissions(Path p, String perms) {
        try {
            var set = Files.getPosixFilePermissions(p);
            set.addAll(PosixFilePermissions.fromString(perms));
            Files.setPosixFilePermissions(p, set);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
