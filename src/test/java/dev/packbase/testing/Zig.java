package dev.packbase.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real Zig releases installed by {@code tools/install-zig.sh} (PyPI's {@code ziglang} wheels) and
 * a way to run them with private caches. There is no fallback: when a release is missing, the test
 * that needs it fails and says how to install it.
 */
public final class Zig {
    private final String version;
    private final Path binary;

    private Zig(String version, Path binary) {
        this.version = version;
        this.binary = binary;
    }

    public static Path home() {
        String configured = System.getenv("PACKBASE_ZIG_HOME");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "packbase", "zig");
    }

    /** The versions the suite requires; each must be installed. */
    public static final List<String> REQUIRED = List.of("0.13.0", "0.14.1", "0.15.1", "0.16.0", "0.17.1");

    public static Zig require(String version) {
        Path binary = home().resolve(version).resolve("ziglang").resolve("zig");
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("zig " + version + " is not installed at " + binary
                    + ": run tools/install-zig.sh (it pip-installs ziglang==" + version + " into " + home() + ")");
        }
        return new Zig(version, binary);
    }

    public String version() {
        return version;
    }

    /** 0.13 and older print legacy 1220… hashes and want string names; 0.14+ use enum names and fingerprints. */
    public boolean legacy() {
        return version.startsWith("0.13.") || version.startsWith("0.12.");
    }

    /**
     * Runs zig in {@code dir}; returns the result (exit not checked). The local cache is under
     * {@code cacheRoot}; the global cache (compiled build runners, which take Zig 0.17 minutes to
     * build) persists per version beside the installation, like Maven's repository. A {@code zig fetch}
     * without an expected hash always downloads, so this never hides a request to packbase.
     */
    public Cmd.Result run(Path dir, Path cacheRoot, String... args) {
        return run(dir, cacheRoot, home().resolve("cache").resolve(version), args);
    }

    /** {@link #run} with {@code globalCache} as the global cache (see {@link #globalCacheWithoutPackages}). */
    public Cmd.Result run(Path dir, Path cacheRoot, Path globalCache, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        env.put("ZIG_GLOBAL_CACHE_DIR", globalCache.toString());
        env.put("ZIG_LOCAL_CACHE_DIR", cacheRoot.resolve("local").toString());
        env.put("HOME", cacheRoot.toString());
        // Zig reads proxies from the environment (and 0.13 chokes on empty ones); tests only talk to loopback.
        for (String proxy : List.of("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")) {
            env.put(proxy, null);
        }
        return Cmd.exec(dir, env, command);
    }

    public Cmd.Result ok(Path dir, Path cacheRoot, String... args) {
        Cmd.Result r = run(dir, cacheRoot, args);
        if (r.exit() != 0) {
            throw new AssertionError("zig " + version + " " + String.join(" ", args) + " failed (exit " + r.exit()
                    + ")\n--- stdout ---\n" + r.stdout() + "\n--- stderr ---\n" + r.stderr());
        }
        return r;
    }

    /**
     * A new global cache at {@code dir} that holds no package but this release's compiled build runner
     * (the shared cache's {@code o/}, {@code h/} and {@code b/}; notes/zig-offline.md): a test of what
     * Zig resolves from packages it is given then starts from nothing without compiling for minutes.
     */
    public Path globalCacheWithoutPackages(Path dir) {
        Path shared = home().resolve("cache").resolve(version);
        try {
            Files.createDirectories(dir);
            for (String sub : List.of("o", "h", "b")) {
                Path from = shared.resolve(sub);
                if (!Files.isDirectory(from)) {
                    continue;
                }
                try (Stream<Path> walk = Files.walk(from)) {
                    for (Path p : walk.toList()) {
                        Path to = dir.resolve(sub).resolve(from.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(to);
                        } else {
                            Files.copy(p, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                        }
                    }
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Cmd.Result ok(Path dir, Path cacheRoot, Path globalCache, String... args) {
        Cmd.Result r = run(dir, cacheRoot, globalCache, args);
        if (r.exit() != 0) {
            throw new AssertionError("zig " + version + " " + String.join(" ", args) + " failed (exit " + r.exit()
                    + ")\n--- stdout ---\n" + r.stdout() + "\n--- stderr ---\n" + r.stderr());
        }
        return r;
    }

    /** The last line of zig's output: what {@code zig fetch} prints is the hash. */
    public static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].trim();
    }

    /** Deletes a cache directory tree (zig marks files read-only). */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
