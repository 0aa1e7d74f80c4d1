package dev.packbase.testing;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A real servlet container (Tomcat 10.1/11 or Jetty 12 ee10), unpacked from its Maven Central distribution
 * into a temporary directory, with one WAR deployed at a given context path, running as a child process.
 *
 * <pre>{@code
 * try (ServletContainer tomcat = ServletContainer.builder(ServletContainer.distribution("tomcat-11.0."), war, workDir)
 *         .contextPath("/packbase")
 *         .systemProperty("packbase.root", root.toString())
 *         .start()) {
 *     HttpResponse<String> status = http.send(HttpRequest.newBuilder(tomcat.uri("/api/status")).build(), ofString());
 *     assertTrue(tomcat.log().contains("setting packbase.root = "));
 * }
 * }</pre>
 *
 * <p>Settings reach the webapp as system properties on the container JVM's command line: through
 * {@code CATALINA_OPTS} for Tomcat ({@code catalina.sh run}, which execs the JVM), and as {@code -D} options
 * before {@code -jar start.jar} for Jetty (which runs in that same JVM, since no module asks for a fork).
 * The container listens on 127.0.0.1 only, on a port found free just before start; Tomcat's shutdown port is
 * disabled and its default webapps removed. Its stdout and stderr are merged and captured in {@link #log()}.
 * {@link #start} returns once {@code GET <context>/api/status} answers 200; each retry is triggered by new
 * container output, so nothing sleeps.
 */
public final class ServletContainer implements AutoCloseable {

    /** The directory failsafe passes as {@code packbase.containers} (pom.xml, execution container-distributions). */
    public static final String CONTAINERS_PROPERTY = "packbase.containers";

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    private static final int TAIL_LINES = 80;

    /** Which launcher and layout a distribution has. */
    public enum Kind {
        TOMCAT, JETTY
    }

    /** A distribution archive, e.g. {@code target/containers/tomcat-11.0.24.tar.gz}. */
    public record Distribution(Kind kind, Path archive) {
        public Distribution {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(archive, "archive");
        }

        /** {@code tomcat-11.0.24}: the archive's file name without {@code .tar.gz}. */
        public String name() {
            String file = archive.getFileName().toString();
            return file.endsWith(".tar.gz") ? file.substring(0, file.length() - ".tar.gz".length()) : file;
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /**
     * The one {@code <prefix>*.tar.gz} in the {@value #CONTAINERS_PROPERTY} directory, e.g. {@code "tomcat-10.1."}
     * or {@code "jetty-home-12."}; the kind follows from the name. Versions live in pom.xml only.
     */
    public static Distribution distribution(String prefix) {
        String dir = System.getProperty(CONTAINERS_PROPERTY);
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException("system property " + CONTAINERS_PROPERTY
                    + " is not set; run this test through failsafe (./mvnw verify)");
        }
        Path containers = Path.of(dir);
        List<Path> matches;
        try (Stream<Path> files = Files.list(containers)) {
            matches = files.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(prefix) && name.endsWith(".tar.gz");
            }).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + CONTAINERS_PROPERTY + "=" + containers
                    + " (the pre-integration-test phase copies the distributions there)", e);
        }
        if (matches.size() != 1) {
            throw new IllegalStateException("expected exactly one " + prefix + "*.tar.gz in " + containers
                    + ", found " + matches);
        }
        Kind kind;
        if (prefix.startsWith("tomcat-")) {
            kind = Kind.TOMCAT;
        } else if (prefix.startsWith("jetty-home-")) {
            kind = Kind.JETTY;
        } else {
            throw new IllegalArgumentException("unknown distribution prefix '" + prefix
                    + "' (expected tomcat-… or jetty-home-…)");
        }
        return new Distribution(kind, matches.get(0));
    }

    public static Builder builder(Distribution distribution, Path war, Path workDir) {
        return new Builder(distribution, war, workDir);
    }

    private final Distribution distribution;
    private final Process process;
    private final List<String> command;
    private final URI base;
    private final Path home;
    private final List<String> lines = new ArrayList<>();
    private boolean outputClosed; // guarded by lines
    private final Thread pump;

    private ServletContainer(Distribution distribution, ProcessBuilder builder, URI base, Path home) throws IOException {
        this.distribution = distribution;
        this.command = List.copyOf(builder.command());
        this.base = base;
        this.home = home;
        this.process = builder.redirectErrorStream(true).start();
        this.process.getOutputStream().close();
        this.pump = new Thread(this::pumpOutput, distribution.name() + "-output-" + process.pid());
        this.pump.setDaemon(true);
        this.pump.start();
    }

    /** {@code http://127.0.0.1:<port>} plus the context path ({@code /packbase}), without a trailing slash. */
    public URI baseUri() {
        return base;
    }

    /** {@code path} (starting with {@code /}) under the context path. */
    public URI uri(String path) {
        return URI.create(base + (path.startsWith("/") ? path : "/" + path));
    }

    /** {@code path} (starting with {@code /}) under the server root, ignoring the context path. */
    public URI serverUri(String path) {
        return base.resolve(path.startsWith("/") ? path : "/" + path);
    }

    public Distribution distribution() {
        return distribution;
    }

    /** CATALINA_HOME or JETTY_HOME of this instance. */
    public Path home() {
        return home;
    }

    public Process process() {
        return process;
    }

    /** Everything the container wrote to stdout and stderr so far (merged, in order). */
    public String log() {
        synchronized (lines) {
            return lines.stream().map(l -> l + "\n").collect(Collectors.joining());
        }
    }

    /** The last {@code count} lines of {@link #log()}. */
    public String logTail(int count) {
        synchronized (lines) {
            return lines.subList(Math.max(0, lines.size() - count), lines.size()).stream()
                    .map(l -> l + "\n").collect(Collectors.joining());
        }
    }

    /** A block for failure messages: the distribution, command, and the tail of the container log. */
    public String describe() {
        return "\n--- " + distribution.name() + " at " + base + " (command: " + String.join(" ", command)
                + ", alive: " + process.isAlive() + ") log tail ---\n" + logTail(TAIL_LINES) + "--- end of log ---";
    }

    /** SIGTERM (the container's shutdown hook stops the webapps), then SIGKILL if it takes too long. */
    @Override
    public void close() {
        Processes.stop(process, STOP_TIMEOUT);
        try {
            pump.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pumpOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (lines) {
                lines.add("[container output read failed: " + e + "]");
            }
        } finally {
            synchronized (lines) {
                outputClosed = true;
                lines.notifyAll();
            }
        }
    }

    private boolean outputClosed() {
        synchronized (lines) {
            return outputClosed;
        }
    }

    private int lineCount() {
        synchronized (lines) {
            return lines.size();
        }
    }

    /**
     * Blocks until the container writes a line beyond the first {@code seen}, closes its output, or
     * {@code deadlineNanos} passes. Returns false only on the deadline.
     */
    private boolean awaitOutputBeyond(int seen, long deadlineNanos) throws InterruptedException {
        synchronized (lines) {
            while (lines.size() <= seen && !outputClosed) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
            return true;
        }
    }

    /**
     * Waits until {@code GET <context>/api/status} answers 200. An attempt is made at once and again after each
     * new line of container output; the container's last startup line (Tomcat's "Server startup in", Jetty's
     * "Started oejs.Server") comes after its connector and webapps are started, so the final attempt sees them.
     */
    private ServletContainer awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpClient client = HttpClient.newBuilder().connectTimeout(ATTEMPT_TIMEOUT).build();
        URI status = uri("/api/status");
        String last = "no attempt yet";
        try {
            while (true) {
                int seen = lineCount();
                if (outputClosed() && process.isAlive() // exiting: give it the rest of the deadline to do so
                        && !process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    close();
                    throw new AssertionError(distribution.name() + " closed its output but kept running until the "
                            + timeout + " deadline (last attempt: " + last + ")" + describe());
                }
                if (!process.isAlive()) {
                    close();
                    throw new AssertionError(distribution.name() + " exited with code " + process.exitValue()
                            + " before " + status + " answered 200 (last attempt: " + last + ")" + describe());
                }
                try {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(status).timeout(ATTEMPT_TIMEOUT)
                            .GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return this;
                    }
                    last = "HTTP " + response.statusCode() + " " + abbreviate(response.body());
                } catch (IOException e) {
                    last = e.toString();
                }
                if (!awaitOutputBeyond(seen, deadline)) {
                    close();
                    throw new AssertionError(status + " did not answer 200 within " + timeout + " (last attempt: "
                            + last + ")" + describe());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new AssertionError("interrupted while waiting for " + distribution.name() + describe(), e);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ").strip();
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }

    /** What to deploy where, and how to configure it. */
    public static final class Builder {
        private final Distribution distribution;
        private final Path war;
        private final Path workDir;
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String contextPath = "/";
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private final Map<String, String> contextParameters = new LinkedHashMap<>();

        private Builder(Distribution distribution, Path war, Path workDir) {
            this.distribution = Objects.requireNonNull(distribution, "distribution");
            this.war = Objects.requireNonNull(war, "war");
            this.workDir = Objects.requireNonNull(workDir, "workDir");
        }

        /** {@code /} (the default) or e.g. {@code /packbase}; decides the WAR's file name in {@code webapps/}. */
        public Builder contextPath(String path) {
            if (!path.equals("/") && (!path.startsWith("/") || path.endsWith("/") || path.contains("#")
                    || path.contains(".."))) {
                throw new IllegalArgumentException("context path must be / or /name[/name…]: '" + path + "'");
            }
            contextPath = path;
            return this;
        }

        /** A {@code -D} option on the container JVM's command line, e.g. {@code packbase.root}. */
        public Builder systemProperty(String name, String value) {
            systemProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** An environment variable of the container process (on top of the cleaned environment). */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            startTimeout = timeout;
            return this;
        }

        /**
         * Tomcat only: a {@code <Parameter>} in the deployment's context XML
         * ({@code conf/Catalina/localhost/<name>.xml}), the way Tomcat administrators configure webapps.
         */
        public Builder contextParameter(String name, String value) {
            if (distribution.kind() != Kind.TOMCAT) {
                throw new IllegalStateException("context XML parameters are a Tomcat idiom");
            }
            contextParameters.put(name, value);
            return this;
        }

        /** Unpacks the distribution under the work directory, deploys the WAR, starts and waits for it. */
        public ServletContainer start() {
            if (!Files.isRegularFile(war)) {
                throw new IllegalStateException("no WAR at " + war);
            }
            try {
                Path unpacked = Files.createDirectories(workDir.resolve("dist"));
                Path home = unpack(distribution.archive(), unpacked);
                Path state = Files.createDirectories(workDir.resolve("state"));
                ProcessBuilder builder;
                int port;
                if (distribution.kind() == Kind.TOMCAT) {
                    Files.copy(war, prepareTomcat(home).resolve(warFileName()));
                    if (!contextParameters.isEmpty()) {
                        StringBuilder xml = new StringBuilder("<Context>\n");
                        contextParameters.forEach((k, v) -> xml.append("  <Parameter name=\"").append(k)
                                .append("\" value=\"").append(v).append("\" override=\"false\"/>\n"));
                        xml.append("</Context>\n");
                        Path dir = Files.createDirectories(home.resolve("conf/Catalina/localhost"));
                        Files.writeString(dir.resolve(warFileName().replace(".war", ".xml")), xml.toString());
                    }
                    port = freePort();
                    configureTomcatPorts(home, port);
                    builder = tomcatCommand(home);
                } else {
                    Path jettyBase = Files.createDirectories(workDir.resolve("jetty-base"));
                    createJettyBase(home, jettyBase, state);
                    Files.copy(war, jettyBase.resolve("webapps").resolve(warFileName()));
                    port = freePort();
                    Files.writeString(jettyBase.resolve("start.d/http.ini"),
                            "\n## ServletContainer (packbase tests)\njetty.http.host=127.0.0.1\njetty.http.port=" + port + "\n",
                            StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                    builder = jettyCommand(home, jettyBase, state);
                }
                cleanEnvironment(builder.environment(), state);
                builder.environment().putAll(env);
                URI base = URI.create("http://127.0.0.1:" + port + (contextPath.equals("/") ? "" : contextPath));
                return new ServletContainer(distribution, builder, base, home).awaitReady(startTimeout);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set up " + distribution.name() + " in " + workDir, e);
            }
        }

        /** {@code ROOT.war} for {@code /}; {@code a#b.war} for {@code /a/b} (both containers' convention). */
        private String warFileName() {
            return contextPath.equals("/") ? "ROOT.war" : contextPath.substring(1).replace('/', '#') + ".war";
        }

        /** Removes the default webapps; returns {@code webapps/}. */
        private static Path prepareTomcat(Path home) throws IOException {
            Path webapps = home.resolve("webapps");
            if (Files.isDirectory(webapps)) {
                deleteTree(webapps);
            }
            return Files.createDirectories(webapps);
        }

        /** Loopback HTTP connector on {@code port}; shutdown port disabled ({@code <Server port="-1"}). */
        private static void configureTomcatPorts(Path home, int port) throws IOException {
            Path serverXml = home.resolve("conf/server.xml");
            String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
            xml = replaceOnce(xml, Pattern.compile("<Server port=\"\\d+\""), "<Server port=\"-1\"", serverXml);
            xml = replaceOnce(xml, Pattern.compile("<Connector port=\"8080\" protocol=\"HTTP/1.1\""),
                    "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"", serverXml);
            Files.writeString(serverXml, xml, StandardCharsets.UTF_8);
        }

        private static String replaceOnce(String text, Pattern pattern, String replacement, Path file) {
            Matcher m = pattern.matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("no " + pattern + " in " + file);
            }
            int start = m.start();
            int end = m.end();
            if (m.find()) {
                throw new IllegalStateException("more than one " + pattern + " in " + file);
            }
            return text.substring(0, start) + replacement + text.substring(end);
        }

        /** {@code catalina.sh run}: the script execs the JVM, so the Process is Tomcat itself. */
        private ProcessBuilder tomcatCommand(Path home) {
            Path script = home.resolve("bin/catalina.sh");
            ProcessBuilder builder = new ProcessBuilder(List.of(script.toString(), "run")).directory(home.toFile());
            Map<String, String> e = builder.environment();
            e.keySet().removeIf(k -> k.startsWith("CATALINA_") || k.startsWith("JPDA_") || k.equals("JAVA_OPTS")
                    || k.equals("JRE_HOME") || k.equals("LOGGING_CONFIG") || k.equals("LOGGING_MANAGER"));
            e.put("JAVA_HOME", System.getProperty("java.home"));
            e.put("CATALINA_HOME", home.toString());
            e.put("CATALINA_BASE", home.toString());
            // catalina.sh evals "$CATALINA_OPTS": each option is single-quoted so that any value survives as one word.
            e.put("CATALINA_OPTS", systemProperties.entrySet().stream()
                    .map(p -> shellQuote("-D" + p.getKey() + "=" + p.getValue()))
                    .collect(Collectors.joining(" ")));
            return builder;
        }

        /** {@code java -jar $JETTY_HOME/start.jar --add-modules=http,ee10-deploy} run in the new jetty-base. */
        private static void createJettyBase(Path home, Path jettyBase, Path state) {
            Cmd.run(jettyBase, Map.of("HOME", state.toString()), List.of(javaExecutable(),
                    "-Djava.io.tmpdir=" + state, "-jar", home.resolve("start.jar").toString(),
                    "jetty.home=" + home, "jetty.base=" + jettyBase, "--add-modules=http,ee10-deploy"));
            if (!Files.isRegularFile(jettyBase.resolve("start.d/http.ini"))
                    || !Files.isDirectory(jettyBase.resolve("webapps"))) {
                throw new IllegalStateException("start.jar --add-modules did not create start.d/http.ini and webapps/ in "
                        + jettyBase);
            }
        }

        /** {@code java -D… -jar start.jar} in the jetty-base; without a forking module, Jetty runs in this JVM. */
        private ProcessBuilder jettyCommand(Path home, Path jettyBase, Path state) throws IOException {
            Path tmp = Files.createDirectories(state.resolve("tmp"));
            List<String> command = new ArrayList<>();
            command.add(javaExecutable());
            command.add("-Djava.io.tmpdir=" + tmp);
            systemProperties.forEach((name, value) -> command.add("-D" + name + "=" + value));
            command.add("-jar");
            command.add(home.resolve("start.jar").toString());
            command.add("jetty.home=" + home);
            command.add("jetty.base=" + jettyBase);
            ProcessBuilder builder = new ProcessBuilder(command).directory(jettyBase.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("JETTY_") || k.equals("JAVA_OPTIONS"));
            return builder;
        }

        /** No inherited packbase or git settings; a private HOME. */
        private static void cleanEnvironment(Map<String, String> e, Path state) throws IOException {
            e.keySet().removeIf(k -> k.startsWith("PACKBASE_") || k.startsWith("GIT_") || k.equals("XDG_CONFIG_HOME"));
            e.put("HOME", Files.createDirectories(state.resolve("home")).toString());
            e.put("GIT_CONFIG_NOSYSTEM", "1");
        }
    }

    private static String shellQuote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** A port that was free a moment ago on 127.0.0.1 (bound to port 0, then released). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** The test JVM's own {@code java}. */
    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Unpacks a {@code .tar.gz} into {@code target}, keeping permission bits and symbolic links, and returns its
     * single top-level directory (e.g. {@code apache-tomcat-11.0.24}).
     */
    static Path unpack(Path archive, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        try (InputStream file = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(
                     new GZIPInputStream(new BufferedInputStream(file, 1 << 16), 1 << 16), "UTF-8")) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isGlobalPaxHeader()) {
                    continue;
                }
                Path out = root.resolve(entry.getName()).normalize();
                if (!out.startsWith(root) || out.equals(root)) {
                    if (out.equals(root) && entry.isDirectory()) {
                        continue;
                    }
                    throw new IOException("entry outside the target directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Path linked = root.resolve(entry.getLinkName()).normalize();
                    if (!linked.startsWith(root)) {
                        throw new IOException("hard link outside the target directory: " + entry.getName());
                    }
                    Files.createDirectories(out.getParent());
                    Files.copy(linked, out, StandardCopyOption.REPLACE_EXISTING);
                } else if (entry.isFile()) {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(out, permissions(entry.getMode()));
                }
            }
        }
        try (Stream<Path> top = Files.list(root)) {
            List<Path> dirs = top.filter(Files::isDirectory).collect(Collectors.toList());
            if (dirs.size() != 1) {
                throw new IOException(archive + " has no single top-level directory: " + dirs);
            }
            return dirs.get(0);
        }
    }

    /** The owner's bits of {@code mode} (always readable and writable by the owner), group and others as given. */
    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE,
        };
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }
}
