package dev.packbase.runner;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.logging.LogManager;
import java.util.logging.Logger;

import dev.packbase.config.Setting;
import dev.packbase.config.Settings;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.RequestLogWriter;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The embedded Jetty 12 (ee10) server behind {@code java -jar packbase.war}. Only {@link Bootstrap} calls it,
 * reflectively, from a class loader that holds this class and Jetty; the webapp itself gets its own
 * {@code WebAppClassLoader} below that, with Jetty's classes hidden from it.
 *
 * <p>Contract with {@link Bootstrap#main}: {@link #run} blocks until the server stops. It throws
 * {@link IllegalArgumentException} (message only, printed as is; exit code 2) for an unusable setting or
 * argument, and any other exception (printed with its stack trace; exit code 1) when the server or the
 * webapp fails to start.
 */
public final class StandaloneServer {

    /** Tests and scripts parse the port from this line, the only thing ever printed to stdout. */
    static final String LISTENING_PREFIX = "packbase listening on ";

    private static final String LOG_FORMAT = "%1$tF %1$tT.%1$tL %4$-7s %3$s: %5$s%6$s%n";

    private StandaloneServer() {
    }

    public static void run(Path war, String[] args) throws Exception {
        if (args.length > 0) {
            throw new IllegalArgumentException("unexpected arguments " + String.join(" ", args));
        }
        Settings sources = Settings.ofProcess();
        ServerSettings settings = ServerSettings.resolve(sources);
        installDefaultLogging();
        Logger log = Logger.getLogger(StandaloneServer.class.getName());
        sources.report().forEach(line -> log.info("setting " + line));
        sources.warnings().forEach(log::warning);

        QueuedThreadPool threads = new QueuedThreadPool(settings.maxThreads());
        threads.setName("packbase");
        Server server = new Server(threads);
        // Requests Jetty refuses before the webapp sees them still get packbase's JSON errors.
        server.setErrorHandler(new JsonErrorHandler());
        HttpConfiguration http = new HttpConfiguration();
        // Slow clients: a connection that sends or reads nothing for the idle timeout is closed. No minimum
        // data rate: Jetty measures it from the start of the request, so a small body read after an ingest
        // of a few seconds (error answers drain small bodies first) fell "below" any useful rate
        // and became a 408 (MixedLoadIT found it). Slow bodies are bounded by PACKBASE_MAX_CONCURRENT_REQUESTS.
        http.setSendServerVersion(false);
        // One selector per core (Jetty picks cores / 2, so 1 on two cores): cached tarballs are answered on the
        // selector threads (TarballFastPathHandler), and one selector would put them all on one core.
        ServerConnector connector = new ServerConnector(server, 1, Runtime.getRuntime().availableProcessors(),
                new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(settings.idleTimeoutSeconds() * 1000L);
        server.addConnector(connector);

        WebAppContext webapp = new WebAppContext();
        webapp.setWar(war.toString());
        webapp.setContextPath("/");
        // Not persistent: Jetty recreates this directory on start and deletes it on stop.
        webapp.setTempDirectory(newTempDirectory());
        webapp.setTempDirectoryPersistent(false);
        // A webapp that fails to start (listener exception, bad web.xml) fails server.start() instead of
        // leaving a running server that answers 503.
        webapp.setThrowUnavailableOnStartupException(true);
        TarballFastPathHandler fastPath = TarballFastPathHandler.around(webapp, threads);
        ServerConnector metricsConnector = null;
        if (settings.metricsPort() >= 0) {
            metricsConnector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
            metricsConnector.setHost(settings.host());
            metricsConnector.setPort(settings.metricsPort());
            metricsConnector.setIdleTimeout(settings.idleTimeoutSeconds() * 1000L);
            server.addConnector(metricsConnector);
            server.setHandler(new MetricsPortHandler(fastPath, metricsConnector));
        } else {
            server.setHandler(fastPath);
        }

        if (settings.accessLog() != null) {
            RequestLogWriter writer = new RequestLogWriter(settings.accessLog().toString());
            writer.setAppend(true);
            server.setRequestLog(settings.accessLogFormat() == AccessLogFormat.JSON ? new JsonRequestLog(writer)
                    : new CustomRequestLog(writer, CustomRequestLog.NCSA_FORMAT));
        }

        server.setStopAtShutdown(true);
        try {
            server.start();
        } catch (Exception | Error e) {
            stopQuietly(server, e);
            throw new IllegalStateException("cannot start on " + settings.host() + ":" + settings.port()
                    + " with " + war + ": " + e, e);
        }

        fastPath.connect();
        if (metricsConnector != null) {
            log.info("metrics on http://" + uriHost(settings.host()) + ":" + metricsConnector.getLocalPort() + "/metrics");
        }
        System.out.println(LISTENING_PREFIX + "http://" + uriHost(settings.host()) + ":" + connector.getLocalPort() + "/");
        System.out.flush();
        server.join();
    }

    private static File newTempDirectory() {
        try {
            return Files.createTempDirectory("packbase-webapp-").toFile();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the webapp's temporary directory", e);
        }
    }

    private static void stopQuietly(Server server, Throwable failure) {
        try {
            server.stop();
        } catch (Exception | Error e) {
            failure.addSuppressed(e);
        }
    }

    static String uriHost(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /**
     * One-line records on stderr (the JDK default is two lines), for Jetty and, through slf4j-jdk14, for the
     * webapp, which share the JVM's single {@link LogManager}. An operator's
     * {@code -Djava.util.logging.config.file} (or {@code .config.class}) is left alone.
     */
    static void installDefaultLogging() throws IOException {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        String config = String.join("\n",
                "handlers=java.util.logging.ConsoleHandler",
                ".level=INFO",
                "java.util.logging.ConsoleHandler.level=ALL",
                "java.util.logging.ConsoleHandler.formatter=java.util.logging.SimpleFormatter",
                "java.util.logging.SimpleFormatter.format=" + LOG_FORMAT,
                "");
        LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(config.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /**
     * The launcher's own settings, read by the webapp's resolver ({@link Settings}: same precedence, parsing and
     * messages; reachable here because the {@code dev/packbase/config/Setting*} classes are copied to the WAR
     * root, see pom.xml). There are no context-params at this point, so system property, environment, default.
     */
    public record ServerSettings(String host, int port, Path accessLog, AccessLogFormat accessLogFormat, int maxThreads,
            int idleTimeoutSeconds, int metricsPort) {

        public static ServerSettings resolve(Settings settings) {
            String metricsPort = settings.text(Setting.METRICS_PORT);
            return new ServerSettings(
                    settings.text(Setting.HOST),
                    settings.integer(Setting.PORT, 0, 65535),
                    settings.path(Setting.ACCESS_LOG).orElse(null),
                    AccessLogFormat.parse(settings.text(Setting.ACCESS_LOG_FORMAT)),
                    settings.integer(Setting.MAX_THREADS, 8, 10_000),
                    settings.integer(Setting.IDLE_TIMEOUT_SECONDS, 1, 86_400),
                    metricsPort == null ? -1 : settings.integer(Setting.METRICS_PORT, 0, 65535));
        }
    }

    /** {@code PACKBASE_ACCESS_LOG_FORMAT}. */
    enum AccessLogFormat {
        NCSA, JSON;

        static AccessLogFormat parse(String text) {
            for (AccessLogFormat f : values()) {
                if (f.name().equalsIgnoreCase(text.strip())) {
                    return f;
                }
            }
            throw new IllegalArgumentException(Setting.ACCESS_LOG_FORMAT.envName() + "='" + text
                    + "' is not an access log format: use ncsa or json");
        }
    }
}
