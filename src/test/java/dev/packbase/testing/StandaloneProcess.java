package dev.packbase.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A {@code java -jar packbase.war} child process for integration tests.
 *
 * <pre>{@code
 * try (StandaloneProcess server = StandaloneProcess.builder(StandaloneProcess.packagedWar())
 *         .env("PACKBASE_ROOT", dataDir.toString())
 *         .start()) {
 *     URI base = server.baseUri();
 * }
 * }</pre>
 *
 * <p>The child runs on the test JVM's own {@code java}, with every inherited {@code PACKBASE_*} variable removed,
 * {@code PACKBASE_HOST=127.0.0.1} and {@code PACKBASE_PORT=0} unless the test sets them. Its stdout and stderr
 * are drained by two daemon threads into {@link #output()}; the base URI comes from the
 * {@code packbase listening on http://host:port/} line on stdout.
 */
public final class StandaloneProcess implements AutoCloseable {

    /** The line StandaloneServer prints to stdout once Jetty is started. */
    public static final String LISTENING_PREFIX = "packbase listening on ";

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final List<String> command;
    private final StringBuffer output = new StringBuffer();
    private final CompletableFuture<URI> listening = new CompletableFuture<>();
    private final Thread stdoutPump;
    private final Thread stderrPump;

    private StandaloneProcess(ProcessBuilder builder) throws IOException {
        this.command = List.copyOf(builder.command());
        this.process = builder.start();
        this.process.getOutputStream().close();
        this.stdoutPump = pump(process.getInputStream(), "stdout", this::onStdoutLine);
        this.stderrPump = pump(process.getErrorStream(), "stderr", line -> { });
        this.stdoutPump.start();
        this.stderrPump.start();
    }

    /** {@code target/packbase.war}, as failsafe passes it in the {@code packbase.war} system property. */
    public static Path packagedWar() {
        String war = System.getProperty("packbase.war");
        if (war == null || war.isBlank()) {
            throw new IllegalStateException("system property packbase.war is not set; run this test through failsafe (./mvnw verify)");
        }
        Path path = Path.of(war);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("packbase.war=" + war + " is not a file; package the project first");
        }
        return path;
    }

    public static Builder builder(Path war) {
        return new Builder(war);
    }

    /** Starts {@code war} with {@code env} (on top of the defaults) and waits for it to listen. */
    public static StandaloneProcess start(Path war, Map<String, String> env) {
        return builder(war).env(env).start();
    }

    /** The server's base URI, e.g. {@code http://127.0.0.1:40123/}; only after the process is listening. */
    public URI baseUri() {
        if (!listening.isDone() || listening.isCompletedExceptionally()) {
            throw new IllegalStateException("the process is not listening (yet)\n" + output());
        }
        return listening.join();
    }

    /** Resolves {@code path} (with or without a leading slash) against {@link #baseUri()}. */
    public URI uri(String path) {
        return baseUri().resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** All stdout and stderr lines captured so far, in the order the pumps read them. */
    public String output() {
        return output.toString();
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until the process prints its listening line. Fails with the captured output if it exits first or
     * does not get there within {@code timeout}; the process is stopped in both cases.
     */
    public StandaloneProcess awaitListening(Duration timeout) {
        try {
            listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        } catch (TimeoutException e) {
            close();
            throw new AssertionError("packbase did not print '" + LISTENING_PREFIX + "' within " + timeout
                    + "\ncommand: " + command + "\noutput:\n" + output(), e);
        } catch (ExecutionException e) {
            close();
            throw new AssertionError(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new AssertionError("interrupted while waiting for packbase to start", e);
        }
    }

    /**
     * Waits for the process to exit on its own and returns its exit code, with all output pumped into
     * {@link #output()}. Fails (after killing it) if it is still running after {@code timeout}.
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError("packbase still running after " + timeout + "\ncommand: " + command
                        + "\noutput:\n" + output());
            }
            joinPumps();
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new AssertionError("interrupted while waiting for packbase to exit", e);
        }
    }

    /** Asks the process to stop (SIGTERM, so shutdown hooks run), then kills it if it does not exit in time. */
    @Override
    public void close() {
        Processes.stop(process, STOP_TIMEOUT);
        joinPumps();
    }

    private void joinPumps() {
        try {
            stdoutPump.join(STOP_TIMEOUT.toMillis());
            stderrPump.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onStdoutLine(String line) {
        if (!listening.isDone() && line.startsWith(LISTENING_PREFIX)) {
            try {
                listening.complete(URI.create(line.substring(LISTENING_PREFIX.length()).strip()));
            } catch (IllegalArgumentException e) {
                listening.completeExceptionally(new AssertionError("unparsable listening line: " + line, e));
            }
        }
    }

    /**
     * Called by the stdout pump at end of stream. Without the listening line by then, the process is exiting:
     * fail {@link #awaitListening} with its exit code and output now rather than at the timeout.
     */
    private void onStdoutClosed() {
        if (listening.isDone()) {
            return;
        }
        String exit;
        try {
            exit = process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    ? "exited with code " + process.exitValue()
                    : "closed stdout but is still running";
            stderrPump.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = "closed stdout";
        }
        listening.completeExceptionally(new AssertionError("packbase " + exit + " before printing '"
                + LISTENING_PREFIX + "'\ncommand: " + command + "\noutput:\n" + output()));
    }

    private Thread pump(InputStream stream, String name, Consumer<String> onLine) {
        boolean isStdout = name.equals("stdout");
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    output.append(line).append('\n');
                    onLine.accept(line);
                }
            } catch (IOException e) {
                output.append("[").append(name).append(" read failed: ").append(e).append("]\n");
            } finally {
                if (isStdout) {
                    onStdoutClosed();
                }
            }
        }, "packbase-" + name + "-" + process.pid());
        thread.setDaemon(true);
        return thread;
    }

    /** Command line and environment of a child process. */
    public static final class Builder {
        private final Path war;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private Path workingDirectory;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Path readOnlyMount;
        private Path entrypoint;

        private Builder(Path war) {
            this.war = Objects.requireNonNull(war, "war");
            env.put("PACKBASE_HOST", "127.0.0.1");
            env.put("PACKBASE_PORT", "0");
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        /** Removes a variable, including the defaults (PACKBASE_HOST, PACKBASE_PORT). */
        public Builder unsetEnv(String name) {
            env.remove(name);
            return this;
        }

        /** A JVM option before {@code -jar}, e.g. {@code -Djava.io.tmpdir=...}. */
        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        /** Program arguments after the WAR, e.g. an operator subcommand. */
        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        public Builder workingDirectory(Path dir) {
            workingDirectory = dir;
            return this;
        }

        /**
         * Runs the process in its own user and mount namespace in which {@code dir} is a read-only bind
         * mount: a real read-only filesystem for the process, while other processes still write there
         * (an edge node on a read-only volume). Needs util-linux {@code unshare}; no root.
         */
        public Builder readOnlyMount(Path dir) {
            readOnlyMount = dir;
            return this;
        }

        /**
         * Starts {@code script} (the container entrypoint) instead of {@code java -jar}; the script gets
         * the WAR in PACKBASE_WAR and must exec packbase itself.
         */
        public Builder entrypoint(Path script) {
            entrypoint = script;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            startTimeout = timeout;
            return this;
        }

        /** Starts the process without waiting for anything; use for runs that are expected to exit. */
        public StandaloneProcess launch() {
            List<String> command = new ArrayList<>();
            if (readOnlyMount != null) {
                command.addAll(List.of("unshare", "-rm", "sh", "-c",
                        "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\"",
                        readOnlyMount.toAbsolutePath().toString()));
            }
            if (entrypoint != null) {
                command.add("bash");
                command.add(entrypoint.toAbsolutePath().toString());
                env.put("PACKBASE_WAR", war.toAbsolutePath().toString());
                env.put("PATH", Path.of(javaExecutable()).getParent() + ":" + System.getenv("PATH"));
            } else {
                command.add(javaExecutable());
                command.addAll(jvmArgs);
                command.add("-jar");
                command.add(war.toAbsolutePath().toString());
            }
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().keySet().removeIf(name -> name.startsWith("PACKBASE_"));
            builder.environment().putAll(env);
            if (workingDirectory != null) {
                builder.directory(workingDirectory.toFile());
            }
            try {
                return new StandaloneProcess(builder);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command, e);
            }
        }

        /** Starts the process and waits for its listening line (see {@link #awaitListening}). */
        public StandaloneProcess start() {
            return launch().awaitListening(startTimeout);
        }

        /** The test JVM's own {@code java}. */
        static String javaExecutable() {
            Path bin = Path.of(System.getProperty("java.home"), "bin");
            Path java = bin.resolve("java");
            if (!Files.isExecutable(java) && Files.isExecutable(bin.resolve("java.exe"))) {
                java = bin.resolve("java.exe");
            }
            return java.toString();
        }
    }
}
