package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.StandaloneProcess;
import dev.packbase.testing.UpstreamRepo;
import dev.packbase.testing.Zig;
import dev.packbase.testing.ZigPackages;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's concurrency promise, for a fixed time ({@code packbase.load.seconds}: 20 in CI, longer in
 * {@code tools/stress-load.sh}) against {@code java -jar packbase.war} with a 256 MiB heap. At the same
 * time: tarball downloads (each checked against its sha256), info/list/snippet reads, Git clones over
 * smart HTTP (shallow and full; commit and tree ids checked), {@code zig fetch} of tarball and
 * {@code git+http} URLs (the printed package hash checked), {@code POST /api/fetch} of unchanged
 * packages and of one whose upstream gains a tag before every fetch, and {@code POST /api/update}
 * runs. Must hold: zero 5xx, zero corrupt results, every tarball byte-identical at the end, the server
 * alive with its peak RSS bounded. Throughput and p50/p99 per operation are printed and written to
 * {@code target/mixed-load.md}.
 */
class MixedLoadIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ZIG_VERSION = "0.15.1";
    /** With {@code -Xmx256m} the JVM's whole footprint (heap, metaspace, code, threads) stays well below this. */
    private static final long MAX_RSS_BYTES = 768L << 20;

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger serverErrors = new AtomicInteger();
    private final AtomicInteger responses = new AtomicInteger();
    private StandaloneProcess server;

    /** One served tag, as /api/info reports it. */
    private record Served(String pkg, String tag, String url, String sha256, String commit, String tree, String zigHash) {
    }

    @Test
    void mixedClientsForAFixedTimeLoseNothing() throws Exception {
        int seconds = Integer.getInteger("packbase.load.seconds", 20);
        Path upstreams = Files.createDirectories(tmp.resolve("upstreams"));
        UpstreamRepo lib = Fixtures.richRepo(upstreams, "lib", Files.createDirectories(tmp.resolve("s1")));
        UpstreamRepo greet = ZigPackages.greetRepo(upstreams, "greet", Files.createDirectories(tmp.resolve("s2")), false);
        UpstreamRepo grow = UpstreamRepo.create(upstreams, "grow", Files.createDirectories(tmp.resolve("s3")));
        AtomicInteger growVersion = new AtomicInteger();
        addTag(grow, growVersion.incrementAndGet());
        Path catalog = tmp.resolve("catalog.json");
        Files.writeString(catalog, "{\"packages\":[{\"name\":\"lib\",\"url\":\"" + lib.fileUrl() + "\"},"
                + "{\"name\":\"greet\",\"url\":\"" + greet.fileUrl() + "\"}]}");
        Path root = Files.createDirectories(tmp.resolve("root"));

        server = StandaloneProcess.builder(StandaloneProcess.packagedWar())
                .env("PACKBASE_ROOT", root.toString())
                .env("PACKBASE_SEED", "false")
                .env("PACKBASE_FETCH_ALLOWED_SCHEMES", "https,http,file")
                .env("PACKBASE_SOURCE", catalog.toUri().toString())
                .env("PACKBASE_UPDATE_COOLDOWN_SECONDS", "0")
                .env("PACKBASE_UPDATE_TTL_SECONDS", "0")
                .jvmArg("-Xmx256m")
                .jvmArg("-Djava.io.tmpdir=" + tmp)
                .start();
        try {
            for (UpstreamRepo repo : List.of(lib, greet, grow)) {
                assertEquals(200, post("/api/fetch", "{\"url\":\"" + repo.fileUrl() + "\"}", "setup").statusCode());
            }
            List<Served> served = new ArrayList<>();
            for (String pkg : List.of("lib", "greet")) {
                served.addAll(served(pkg));
            }
            Map<String, String> firstBytes = new TreeMap<>();
            for (Served s : served) {
                firstBytes.put(s.url(), sha256(download(s.url(), "setup")));
            }

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            ExecutorService pool = Executors.newFixedThreadPool(9);
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                clients.add(pool.submit(() -> until(deadline, () -> downloadAndRead(served))));
            }
            Path gitWork = Files.createDirectories(tmp.resolve("git"));
            clients.add(pool.submit(() -> until(deadline, () -> gitClone(served, gitWork))));
            Path zigWork = Files.createDirectories(tmp.resolve("zig"));
            clients.add(pool.submit(() -> until(deadline, () -> zigFetch(served, zigWork))));
            clients.add(pool.submit(() -> until(deadline, () -> fetchSame(lib, greet))));
            clients.add(pool.submit(() -> until(deadline, () -> fetchGrowing(grow, growVersion))));
            clients.add(pool.submit(() -> until(deadline, this::update)));
            pool.shutdown();
            for (Future<?> client : clients) {
                client.get(seconds + 600L, TimeUnit.SECONDS);
            }

            for (Map.Entry<String, String> e : firstBytes.entrySet()) {
                assertEquals(e.getValue(), sha256(download(e.getKey(), "final")), "bytes of " + e.getKey() + " changed");
            }
            for (Served s : served("grow")) {
                assertEquals(s.sha256(), sha256(download(s.url(), "final")), s.url());
            }
            assertTrue(server.isAlive(), server::output);
            long rss = peakRss(server.process().pid());
            String report = report(seconds, rss, growVersion.get());
            System.out.println(report);
            Files.writeString(Path.of("target", "mixed-load.md"), report);

            assertTrue(failures.isEmpty(), failures.size() + " failures, the first distinct ones:\n"
                    + String.join("\n", failures.stream().map(f -> f.replaceAll("[0-9]+", "N")).distinct().limit(10).toList()));
            assertEquals(0, serverErrors.get(), "5xx answers under load");
            assertTrue(responses.get() > 100, "the load really ran: " + responses.get() + " responses");
            assertTrue(growVersion.get() > 2, "the growing package got new tags during the run");
            assertTrue(rss < MAX_RSS_BYTES, "peak RSS " + (rss >> 20) + " MiB with -Xmx256m");
            assertTrue(!server.output().contains("OutOfMemoryError"), server::output);
        } finally {
            server.close();
            Files.writeString(Path.of("target", "mixed-load-server.log"), server.output());
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Repeats {@code step} until the deadline; a failure is recorded and the client goes on. */
    private void until(long deadline, Step step) {
        while (System.nanoTime() - deadline < 0) {
            try {
                step.run();
            } catch (Exception | AssertionError e) {
                failures.add(e.toString());
            }
        }
    }

    private void downloadAndRead(List<Served> served) throws Exception {
        Served s = served.get(ThreadLocalRandom.current().nextInt(served.size()));
        String digest = sha256(download(s.url(), "tarball GET"));
        if (!digest.equals(s.sha256())) {
            failures.add("corrupt download of " + s.url() + ": sha256 " + digest);
        }
        switch (ThreadLocalRandom.current().nextInt(4)) {
            case 0 -> expect200(get("/api/info/" + s.pkg(), "info GET"));
            case 1 -> expect200(get("/api/list", "list GET"));
            case 2 -> expect200(get("/p/" + s.pkg() + "/tag/" + s.tag() + ".zon", "snippet GET"));
            default -> expect200(get("/api/status", "status GET"));
        }
    }

    private void gitClone(List<Served> served, Path work) throws Exception {
        Served s = served.get(ThreadLocalRandom.current().nextInt(served.size()));
        Path dir = Files.createTempDirectory(work, "clone");
        boolean shallow = ThreadLocalRandom.current().nextBoolean();
        List<String> command = new ArrayList<>(List.of("git", "-c", "protocol.version=2", "clone", "-q"));
        if (shallow) {
            command.addAll(List.of("--depth", "1"));
        }
        command.addAll(List.of("--branch", s.tag(), server.uri("/" + s.pkg()).toString(), "c"));
        long start = System.nanoTime();
        Cmd.Result cloned = Cmd.exec(dir, Map.of(), command);
        record(shallow ? "git clone --depth 1" : "git clone", start);
        if (cloned.exit() != 0) {
            failures.add("git clone of " + s.pkg() + " " + s.tag() + " failed: " + cloned.stderr());
            return;
        }
        Path checkout = dir.resolve("c");
        String head = Cmd.run(checkout, Map.of(), List.of("git", "rev-parse", "HEAD", "HEAD^{tree}")).stdout();
        if (!head.equals(s.commit() + "\n" + s.tree() + "\n")) {
            failures.add("clone of " + s.pkg() + " " + s.tag() + " has " + head.replace('\n', ' '));
        }
        Zig.deleteTree(dir);
    }

    private void zigFetch(List<Served> served, Path work) throws Exception {
        List<Served> zigPackages = served.stream().filter(s -> s.pkg().equals("greet")).toList();
        Served s = zigPackages.get(ThreadLocalRandom.current().nextInt(zigPackages.size()));
        boolean git = ThreadLocalRandom.current().nextBoolean();
        String url = git ? "git+" + server.uri("/" + s.pkg()) + "#" + s.tag() : server.uri(s.url()).toString();
        Path cache = Files.createTempDirectory(work, "cache");
        Path zig = Zig.home().resolve(ZIG_VERSION).resolve("ziglang").resolve("zig");
        Map<String, String> env = new HashMap<>();
        env.put("ZIG_GLOBAL_CACHE_DIR", cache.resolve("global").toString());
        env.put("ZIG_LOCAL_CACHE_DIR", cache.resolve("local").toString());
        env.put("HOME", cache.toString());
        for (String proxy : List.of("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")) {
            env.put(proxy, null);
        }
        long start = System.nanoTime();
        Cmd.Result fetched = Cmd.exec(cache, env, List.of(zig.toString(), "fetch", url));
        record(git ? "zig fetch git+http" : "zig fetch tarball", start);
        if (fetched.exit() != 0) {
            failures.add("zig fetch " + url + " failed: " + fetched.stderr());
        } else if (!Zig.lastLine(fetched.stdout()).equals(s.zigHash())) {
            failures.add("zig fetch " + url + " printed " + fetched.stdout().strip() + ", packbase says " + s.zigHash());
        }
        Zig.deleteTree(cache);
    }

    private void fetchSame(UpstreamRepo lib, UpstreamRepo greet) throws Exception {
        UpstreamRepo repo = ThreadLocalRandom.current().nextBoolean() ? lib : greet;
        HttpResponse<String> r = post("/api/fetch", "{\"url\":\"" + repo.fileUrl() + "\"}", "fetch (no new tags)");
        expect200(r);
        if (JSON.readTree(r.body()).path("tarballs_created").asInt() != 0) {
            failures.add("an unchanged upstream produced new tarballs: " + r.body());
        }
    }

    /** Upstream gains a tag, then packbase fetches it: new tarballs appear while others are downloaded. */
    private void fetchGrowing(UpstreamRepo grow, AtomicInteger version) throws Exception {
        addTag(grow, version.incrementAndGet());
        HttpResponse<String> r = post("/api/fetch", "{\"url\":\"" + grow.fileUrl() + "\"}", "fetch (1 new tag)");
        expect200(r);
        if (JSON.readTree(r.body()).path("tarballs_created").asInt() != 1) {
            failures.add("a fetch after one new upstream tag created " + r.body());
        }
    }

    private void update() throws Exception {
        HttpResponse<String> r = post("/api/update", "", "update");
        expect200(r);
    }

    private static void addTag(UpstreamRepo repo, int version) {
        repo.write("build.zig.zon", ZigPackages.manifest("grow", "0." + version + ".0", false))
                .write("src/v" + version + ".txt", "release " + version + "\n");
        repo.lightweightTag("v0." + version + ".0", repo.commit("release " + version, 1_700_000_000L + version));
        repo.publish();
    }

    private List<Served> served(String pkg) throws Exception {
        HttpResponse<String> r = get("/api/info/" + pkg, "setup");
        assertEquals(200, r.statusCode(), r.body());
        List<Served> served = new ArrayList<>();
        for (JsonNode t : JSON.readTree(r.body()).path("tarballs")) {
            served.add(new Served(pkg, t.path("tag").asText(), t.path("url").asText(), t.path("tarball_sha256").asText(),
                    t.path("git_commit_oid").asText(), t.path("git_tree_oid").asText(), t.path("zig_hash").asText()));
        }
        assertTrue(!served.isEmpty(), pkg);
        return served;
    }

    private HttpResponse<String> get(String path, String op) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        return observed(r, op, start);
    }

    private byte[] download(String path, String op) throws Exception {
        long start = System.nanoTime();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
        observed(r, op, start);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + r.statusCode());
        }
        return r.body();
    }

    private HttpResponse<String> post(String path, String body, String op) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return observed(r, op, start);
    }

    private <T> HttpResponse<T> observed(HttpResponse<T> r, String op, long start) {
        record(op, start);
        responses.incrementAndGet();
        if (r.statusCode() >= 500) {
            serverErrors.incrementAndGet();
            failures.add(op + " " + r.uri() + ": " + r.statusCode() + " " + r.body());
        }
        return r;
    }

    private void expect200(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            failures.add(r.request().method() + " " + r.uri() + ": " + r.statusCode() + " " + r.body());
        }
    }

    private void record(String op, long start) {
        latencies.computeIfAbsent(op, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(System.nanoTime() - start);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** VmHWM of the server process: the most resident memory it ever had. */
    private static long peakRss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("no VmHWM for " + pid);
    }

    private String report(int seconds, long rss, int growTags) {
        StringBuilder out = new StringBuilder();
        out.append("## Mixed load: ").append(seconds).append(" s, 9 clients, java -jar packbase.war -Xmx256m\n\n");
        out.append("| operation | count | per second | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|\n");
        new TreeMap<>(latencies).forEach((op, list) -> {
            if (op.equals("setup") || op.equals("final")) {
                return;
            }
            List<Long> sorted;
            synchronized (list) {
                sorted = new ArrayList<>(list);
            }
            sorted.sort(null);
            out.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", op, sorted.size(),
                    sorted.size() / (double) seconds, percentile(sorted, 0.50), percentile(sorted, 0.99)));
        });
        out.append(String.format(Locale.ROOT, "%nHTTP responses: %d, 5xx: %d, failures: %d; tags added upstream and "
                + "ingested: %d; server peak RSS: %d MiB%n", responses.get(), serverErrors.get(), failures.size(),
                growTags - 1, rss >> 20));
        return out.toString();
    }

    private static double percentile(List<Long> sorted, double q) {
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
    }
}
