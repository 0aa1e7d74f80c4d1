package dev.packbase.runner;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code Main-Class} of {@code packbase.war}: the JDK-only launcher behind {@code java -jar packbase.war}.
 *
 * <p>It lives at the WAR root (not in {@code WEB-INF/classes}), so a servlet container never loads it. It
 * extracts the embedded Jetty jars from {@code WEB-INF/jetty-runner/} into a temporary directory, builds a
 * class loader over the WAR itself (for the root runner classes) plus those jars, and hands over to
 * {@code StandaloneServer} inside that loader.
 *
 * <p>Rules for this class:
 * <ul>
 *   <li>JDK only: no Jetty, no servlet API, no application classes (the one exception, the JDK-only
 *       settings list for {@code --help}, is reached reflectively).</li>
 *   <li>It prints to {@code stderr} only, never through a logging framework; {@code stdout} is reserved for
 *       the single "listening" line {@code StandaloneServer} prints.</li>
 *   <li>It is compiled with {@code --release 8} (see the pom) so that an old JVM reaches the version check
 *       below instead of failing with {@code UnsupportedClassVersionError}. Use Java 8 APIs only here.</li>
 * </ul>
 *
 * <p>Exit codes: 0 normal stop or {@code --help}; 1 startup failure; 2 bad arguments or an unusable setting.
 */
public final class Bootstrap {

    /** The oldest Java feature release packbase runs on. */
    static final int REQUIRED_JAVA = 17;

    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    /** Where the war plugin puts the launcher's jars. Containers neither load nor serve {@code WEB-INF/}. */
    static final String RUNNER_LIB_PREFIX = "WEB-INF/jetty-runner/";

    static final String SERVER_CLASS = "dev.packbase.runner.StandaloneServer";

    private static final PrintStream ERR = System.err;
    private static final String OPERATOR_CLASS = "dev.packbase.cli.Operator";
    private static final String SETTINGS_TABLE_CLASS = "dev.packbase.config.SettingsTable";
    private static final String WEBAPP_CLASSES = "WEB-INF/classes/";
    private static final String WEBAPP_LIB = "WEB-INF/lib/";

    private Bootstrap() {
    }

    public static void main(String[] args) {
        int feature = javaFeatureVersion();
        if (feature < REQUIRED_JAVA) {
            ERR.println("packbase: Java " + REQUIRED_JAVA + " or later is required, but this is Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.home") + ").");
            ERR.println("packbase: run the WAR with a newer 'java', e.g. $JAVA_HOME/bin/java -jar packbase.war");
            System.exit(EXIT_FAILURE);
            return;
        }

        // Every argument is reserved. Operator subcommands (verify, reindex, ...) get a case here and
        // their own entry point; no arguments means "serve".
        if (args.length > 0) {
            switch (args[0]) {
                case "--help":
                case "-h":
                    usage(ERR);
                    return;
                case "verify":
                case "reindex":
                case "export":
                case "import":
                case "migrate":
                    System.exit(operate(args));
                    return;
                default:
                    ERR.println("packbase: unknown argument '" + args[0] + "'");
                    usage(ERR);
                    System.exit(EXIT_USAGE);
                    return;
            }
        }

        int code = serve();
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Starts the embedded server and blocks until it stops; returns the process exit code. */
    private static int serve() {
        File war;
        ClassLoader loader;
        try {
            war = locateWar();
            File libDir = createTempDirectory();
            List<File> jars = extractRunnerJars(war, libDir);
            loader = newRunnerClassLoader(war, jars);
        } catch (IOException | RuntimeException e) {
            ERR.println("packbase: cannot prepare the embedded server: " + e.getMessage());
            e.printStackTrace(ERR);
            return EXIT_FAILURE;
        }

        Thread.currentThread().setContextClassLoader(loader);
        Method run;
        try {
            Class<?> server = Class.forName(SERVER_CLASS, true, loader);
            run = server.getMethod("run", Path.class, String[].class);
        } catch (ReflectiveOperationException | LinkageError e) {
            ERR.println("packbase: the WAR's embedded server is incomplete: " + e);
            e.printStackTrace(ERR);
            return EXIT_FAILURE;
        }

        try {
            run.invoke(null, war.toPath(), new String[0]);
            return 0;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            // StandaloneServer's contract: IllegalArgumentException = an unusable setting, anything else = failure.
            if (cause instanceof IllegalArgumentException) {
                ERR.println("packbase: " + cause.getMessage());
                return EXIT_USAGE;
            }
            ERR.println("packbase: failed to start: " + cause);
            cause.printStackTrace(ERR);
            return EXIT_FAILURE;
        } catch (IllegalAccessException e) {
            ERR.println("packbase: cannot call " + SERVER_CLASS + ".run: " + e);
            return EXIT_FAILURE;
        }
    }

    /**
     * Runs an operator command (verify, reindex) of the web application itself, without a server:
     * its classes and libraries are extracted from WEB-INF and loaded on their own.
     */
    private static int operate(String[] args) {
        File dir = null;
        try {
            dir = createTempDirectory();
            return operate(args, dir);
        } catch (IOException e) {
            ERR.println("packbase: cannot prepare the operator command: " + e.getMessage());
            return EXIT_FAILURE;
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(File dir) {
        if (dir == null) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir.toPath())) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            ERR.println("packbase: could not remove " + dir + ": " + e.getMessage());
        }
    }

    private static int operate(String[] args, File dir) {
        ClassLoader loader;
        try {
            File war = locateWar();
            List<URL> urls = new ArrayList<>();
            try (ZipFile zip = new ZipFile(war)) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                File classes = new File(dir, "classes");
                // The directory must exist before toURI(): only then does the URL end in '/', which
                // URLClassLoader needs to treat it as a directory rather than a jar.
                if (!classes.mkdirs()) {
                    throw new IOException("cannot create " + classes);
                }
                urls.add(classes.toURI().toURL());
                while (entries.hasMoreElements()) {
                    ZipEntry entry = entries.nextElement();
                    String name = entry.getName();
                    File target;
                    if (name.startsWith(WEBAPP_CLASSES) && !entry.isDirectory() && !name.contains("..")) {
                        target = new File(classes, name.substring(WEBAPP_CLASSES.length()));
                    } else if (name.startsWith(WEBAPP_LIB) && name.endsWith(".jar") && name.indexOf('/', WEBAPP_LIB.length()) < 0) {
                        target = new File(new File(dir, "lib"), name.substring(WEBAPP_LIB.length()));
                        urls.add(target.toURI().toURL());
                    } else {
                        continue;
                    }
                    target.getParentFile().mkdirs();
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, target.toPath());
                    }
                }
            }
            loader = new URLClassLoader(urls.toArray(new URL[0]), platformClassLoader());
        } catch (IOException | RuntimeException e) {
            ERR.println("packbase: cannot prepare the operator command: " + e.getMessage());
            return EXIT_FAILURE;
        }
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Method run = Class.forName(OPERATOR_CLASS, true, loader).getMethod("run", String[].class);
            return (Integer) run.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            ERR.println("packbase: " + args[0] + " failed: " + cause.getMessage());
            return EXIT_FAILURE;
        } catch (ReflectiveOperationException | LinkageError e) {
            ERR.println("packbase: the WAR's operator commands are incomplete: " + e);
            return EXIT_FAILURE;
        }
    }

    /** The WAR this class was loaded from, found through its protection domain. */
    static File locateWar() throws IOException {
        CodeSource source = Bootstrap.class.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null) {
            throw new IOException("cannot tell which file " + Bootstrap.class.getName() + " was loaded from");
        }
        File file;
        try {
            file = new File(location.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("unsupported code source " + location, e);
        }
        if (!file.isFile()) {
            throw new IOException("not started from a WAR file (code source is " + file
                    + "); build it with ./mvnw package and run java -jar target/packbase.war");
        }
        return file;
    }

    private static File createTempDirectory() throws IOException {
        File dir = Files.createTempDirectory("packbase-runner-").toFile();
        // deleteOnExit runs after all shutdown hooks (Jetty's stop included) and in reverse order of
        // registration: the jars registered later are deleted before this directory.
        dir.deleteOnExit();
        return dir;
    }

    /** Copies {@code WEB-INF/jetty-runner/*.jar} into {@code dir}; returns the copies sorted by name. */
    static List<File> extractRunnerJars(File war, File dir) throws IOException {
        List<File> jars = new ArrayList<>();
        try (ZipFile zip = new ZipFile(war)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (entry.isDirectory() || !name.startsWith(RUNNER_LIB_PREFIX)) {
                    continue;
                }
                String simpleName = name.substring(RUNNER_LIB_PREFIX.length());
                if (!simpleName.endsWith(".jar") || simpleName.indexOf('/') >= 0
                        || simpleName.indexOf('\\') >= 0 || simpleName.startsWith(".")) {
                    continue;
                }
                File target = new File(dir, simpleName);
                target.deleteOnExit();
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, target.toPath());
                }
                jars.add(target);
            }
        }
        if (jars.isEmpty()) {
            throw new IOException(war + " contains no " + RUNNER_LIB_PREFIX + "*.jar; it was not built as an executable WAR");
        }
        Collections.sort(jars);
        return jars;
    }

    /**
     * One loader for StandaloneServer and Jetty: the WAR itself (its root holds the runner classes; the rest
     * of it is under WEB-INF/ and META-INF/ and so invisible as classes) followed by the extracted jars. Its
     * parent is the platform loader, so nothing from the application class path (this class's loader) leaks in.
     */
    static ClassLoader newRunnerClassLoader(File war, List<File> jars) throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        urls.add(war.toURI().toURL());
        for (File jar : jars) {
            urls.add(jar.toURI().toURL());
        }
        return new URLClassLoader(urls.toArray(new URL[0]), platformClassLoader());
    }

    /** {@code ClassLoader.getPlatformClassLoader()}, called reflectively because this class targets Java 8. */
    private static ClassLoader platformClassLoader() {
        try {
            return (ClassLoader) ClassLoader.class.getMethod("getPlatformClassLoader").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no platform class loader on Java " + System.getProperty("java.version"), e);
        }
    }

    /** The feature release number: "1.8" gives 8, "17" gives 17; unparsable values count as new enough. */
    static int javaFeatureVersion() {
        String spec = System.getProperty("java.specification.version", "");
        if (spec.startsWith("1.")) {
            spec = spec.substring(2);
        }
        int dot = spec.indexOf('.');
        if (dot >= 0) {
            spec = spec.substring(0, dot);
        }
        try {
            return Integer.parseInt(spec);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * The standalone settings from the one list of settings ({@code dev.packbase.config.SettingsTable}, copied to
     * the WAR root next to this class). Called reflectively: that class is release 17, this one release 8.
     */
    private static String standaloneSettings() {
        try {
            return (String) Class.forName(SETTINGS_TABLE_CLASS).getMethod("standaloneUsage").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return "  (the list of settings is missing from this WAR: " + e + ")" + System.lineSeparator();
        }
    }

    static void usage(PrintStream out) {
        out.println("Usage: java [-Dpackbase.<setting>=<value> ...] -jar packbase.war [--help | verify | reindex | export | import | migrate]");
        out.println();
        out.println("Starts packbase on embedded Jetty and serves until stopped (SIGINT/SIGTERM).");
        out.println("Server settings, as system property or environment variable (the property wins):");
        out.print(standaloneSettings());
        out.println("The application reads its own settings (data directory, base URL, ...) the same way;");
        out.println("README.md lists them all.");
        out.println("Logging goes to stderr in one-line format unless -Djava.util.logging.config.file is given.");
        out.println();
        out.println("Options:");
        out.println("  --help, -h           print this help and exit");
        out.println();
        out.println("Operator commands (on the store given by PACKBASE_ROOT or PACKBASE_STORAGE; no server is started):");
        out.println("  verify               re-hash every tarball against its manifest; changes nothing;");
        out.println("                       exit 0 when everything matches, 1 otherwise");
        out.println("  reindex              rebuild package records, derived Git data and the info snapshot");
        out.println("                       from the tarballs and manifests");
        out.println("  export <pkg>[@<tag>|#<commit>]... [--closure] -o <file.tar>");
        out.println("                       write those versions (and their stored closures) into one file");
        out.println("  import <file.tar>    verify every tarball of an export and add them to this root;");
        out.println("                       any mismatch refuses the whole file, nothing is written");
        out.println("  migrate --from <root or s3://bucket/prefix> --to <root or s3://bucket/prefix>");
        out.println("                       copy a whole registry to another store and verify it; the source is");
        out.println("                       not changed; run it again to resume");
        out.println();
        out.println("Exit codes: 0 stopped normally, 1 failed to start, 2 bad argument or setting.");
    }
}
