package dev.packbase.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.config.Config;
import dev.packbase.config.ConfigLoader;
import dev.packbase.domain.S3Location;
import dev.packbase.storage.Backend;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * {@code migrate --from <root or s3 URL> --to <root or s3 URL>}: copies a registry's objects to another store,
 * the source opened read-only (it is never changed). Objects go in dependency order, so a node already running
 * on the destination never sees a record before the tarballs it names: tarballs and manifests, archive
 * packages, derived Git data and closures, then records, info entries and the snapshot. Every tarball is
 * read back from the destination and checked against its manifest; every other object against the bytes read
 * from the source. An interrupted run is resumed by running it again: an immutable object that is already
 * there and verifies is kept, state objects are copied again.
 */
final class Migrate {
    /** Top-level prefixes of a store, in copy order (the state's own order follows in {@link #order}). */
    private static final List<String> PREFIXES = List.of("p/", "h/", StorageKeys.STATE_DIR);
    /** Objects copied at once. */
    private static final int THREADS = 8;

    private final PrintStream out;
    private final ObjectMapper json = Json.newMapper();

    Migrate(PrintStream out) {
        this.out = out;
    }

    /** Counts of one run. */
    record Totals(int copied, int kept, int packages) {
    }

    int run(Map<String, String> env, Properties properties, String release, List<String> args) throws IOException {
        String from = null;
        String to = null;
        for (int i = 0; i + 1 < args.size(); i += 2) {
            switch (args.get(i)) {
                case "--from" -> from = args.get(i + 1);
                case "--to" -> to = args.get(i + 1);
                default -> {
                    return usage("unknown option " + args.get(i));
                }
            }
        }
        if (from == null || to == null || args.size() != 4) {
            return usage(null);
        }
        if (from.equals(to)) {
            return usage("--from and --to name the same store");
        }
        Config source = config(env, properties, release, from);
        Config target = config(env, properties, release, to);
        try (Backend src = Backend.open(source, true); Backend dst = Backend.open(target, false)) {
            if (!dst.storage().writable()) {
                out.println("migrate: " + dst.storage().describe() + " cannot be written");
                return 1;
            }
            out.println("migrate: " + src.storage().describe() + " -> " + dst.storage().describe());
            Totals totals = copy(src.storage(), dst.storage(), new Progress(out, System.console() != null));
            out.println("migrate: " + totals.packages() + " package(s), " + totals.copied() + " object(s) copied, "
                    + totals.kept() + " already there and verified");
            return 0;
        } catch (VerifyFailed e) {
            out.println("migrate: " + e.getMessage());
            return 1;
        }
    }

    private int usage(String problem) {
        if (problem != null) {
            out.println("migrate: " + problem);
        }
        out.println("usage: migrate --from <root directory or s3://bucket/prefix> --to <root directory or s3://bucket/prefix>");
        return 2;
    }

    /** The usual settings, with the store replaced by {@code location} (engine settings stay PACKBASE_S3_*). */
    private static Config config(Map<String, String> env, Properties properties, String release, String location) {
        Properties p = new Properties();
        p.putAll(properties);
        if (S3Location.isS3(location)) {
            p.setProperty("packbase.storage", location);
        } else {
            p.setProperty("packbase.storage", "");
            p.setProperty("packbase.root", location);
        }
        return new ConfigLoader(env, p, name -> null, release).load().config();
    }

    Totals copy(Storage from, Storage to, Progress progress) throws IOException {
        List<String> keys = new ArrayList<>();
        for (String prefix : PREFIXES) {
            for (String key : from.list(prefix)) {
                if (!key.startsWith(StorageKeys.TMP_DIR) && !key.startsWith(StorageKeys.STATE_DIR + "probe/")
                        && !key.equals(StorageKeys.READY_PROBE)) {
                    keys.add(key);
                }
            }
        }
        keys.sort(java.util.Comparator.comparingInt(Migrate::order).thenComparing(Function.identity()));
        Map<String, int[]> groups = new LinkedHashMap<>(); // group → {objects left, copied, kept}
        for (String key : keys) {
            groups.computeIfAbsent(group(key), g -> new int[3])[0]++;
        }
        int copied = 0;
        int packages = 0;
        int done = 0;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "packbase-migrate");
            t.setDaemon(true);
            return t;
        });
        try {
            // Objects of one kind are copied in parallel (an object store answers each request in a round
            // trip); each kind finishes before the next begins, which keeps the dependency order.
            for (int start = 0; start < keys.size(); ) {
                int end = start;
                while (end < keys.size() && order(keys.get(end)) == order(keys.get(start))) {
                    end++;
                }
                List<java.util.concurrent.Future<Boolean>> copies = new ArrayList<>();
                for (String key : keys.subList(start, end)) {
                    copies.add(pool.submit(() -> copyOne(from, to, key)));
                }
                for (int k = start; k < end; k++) {
                    String name = group(keys.get(k));
                    int[] g = groups.get(name);
                    boolean isCopy = done(copies.get(k - start));
                    copied += isCopy ? 1 : 0;
                    g[isCopy ? 1 : 2]++;
                    if (--g[0] == 0) {
                        packages += name.startsWith("(") ? 0 : 1;
                        progress.step(++done, groups.size(), name, g[1], g[2]);
                    }
                }
                start = end;
            }
        } finally {
            pool.shutdownNow();
        }
        int kept = keys.size() - copied;
        progress.end();
        return new Totals(copied, kept, packages);
    }

    private static boolean done(java.util.concurrent.Future<Boolean> copy) throws IOException {
        try {
            return copy.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * The copy order: what a record names comes before the record, the snapshot (the object other nodes
     * watch) last.
     */
    private static int order(String key) {
        if (key.startsWith("p/") || key.startsWith("h/")) {
            return key.endsWith(".tar.gz") ? 0 : 1;
        }
        if (key.startsWith(StorageKeys.STATE_DIR + "archives/")) {
            return 2;
        }
        if (key.startsWith(StorageKeys.PACKAGES_DIR)) {
            return 4;
        }
        if (key.startsWith(StorageKeys.INFO_DIR)) {
            return 5;
        }
        if (key.equals(StorageKeys.INFO_SNAPSHOT) || key.equals(StorageKeys.SNAPSHOT_PENDING)) {
            return 6;
        }
        return 3; // derived Git data, closures, the source catalog, the update state
    }

    /** The package an object belongs to, for the progress line; shared objects group by kind. */
    private static String group(String key) {
        String[] parts = key.split("/");
        if (key.startsWith("p/")) {
            return parts[1];
        }
        if (key.startsWith("h/") || key.startsWith(StorageKeys.STATE_DIR + "archives/")) {
            return "(archive packages)";
        }
        return "(registry state)";
    }

    /** Copies one object unless the destination already holds it verified; true when it was copied. */
    private boolean copyOne(Storage from, Storage to, String key) throws IOException {
        boolean immutable = (key.startsWith("p/") || key.startsWith("h/"));
        Optional<String> expected = expectedTarballSha256(from, key);
        if (immutable && to.stat(key).isPresent()) {
            String have = sha256(to, key);
            String want = expected.isPresent() ? expected.get() : sha256(from, key);
            if (!have.equals(want)) {
                throw new VerifyFailed(key + " already exists on the destination with other bytes; it is left alone");
            }
            return false;
        }
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(from.open(key), sha)) {
            if (immutable) {
                to.createIfAbsent(key, in::transferTo);
            } else {
                to.replace(key, in::transferTo);
            }
        }
        String read = HexFormat.of().formatHex(sha.digest());
        if (expected.isPresent() && !expected.get().equals(read)) {
            throw new VerifyFailed(key + " on the source does not match its manifest (sha256 " + read + ", manifest "
                    + expected.get() + "); run verify on the source");
        }
        String written = sha256(to, key);
        if (!written.equals(read)) {
            throw new VerifyFailed(key + " reads back from the destination with other bytes (sha256 " + written + ")");
        }
        return true;
    }

    /** The sha256 a tarball's manifest records, for {@code p/…/<name>.tar.gz} and {@code h/<hash>.tar.gz}. */
    private Optional<String> expectedTarballSha256(Storage from, String key) throws IOException {
        if (!key.endsWith(".tar.gz") || !(key.startsWith("p/") || key.startsWith("h/"))) {
            return Optional.empty();
        }
        String manifest = key.substring(0, key.length() - ".tar.gz".length()) + ".json";
        if (from.stat(manifest).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = from.open(manifest)) {
            // Both manifest kinds (TagManifest, ArchiveManifest) record it at tarball.sha256.
            String sha256 = json.readTree(in).path("tarball").path("sha256").asText("");
            if (sha256.isEmpty()) {
                throw new VerifyFailed(manifest + " on the source names no tarball sha256; run verify on the source");
            }
            return Optional.of(sha256);
        }
    }

    private static String sha256(Storage storage, String key) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(storage.open(key), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An object that does not verify: the run stops, and what was copied stays (a rerun continues). */
    private static final class VerifyFailed extends IOException {
        private static final long serialVersionUID = 1L;

        VerifyFailed(String message) {
            super(message);
        }
    }

    /** A bar redrawn in place on a terminal; a line per package otherwise (logs, CI). */
    static final class Progress {
        private final PrintStream out;
        private final boolean terminal;

        Progress(PrintStream out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        void step(int done, int total, String group, int copied, int kept) {
            if (terminal) {
                int width = 30;
                int filled = total == 0 ? width : done * width / total;
                out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total + " "
                        + (group.length() > 30 ? group.substring(0, 30) : group) + "\u001b[K");
                out.flush();
            } else {
                out.println("[" + done + "/" + total + "] " + group + ": " + copied + " copied, " + kept + " kept");
            }
        }

        void end() {
            if (terminal) {
                out.println();
            }
        }
    }
}
