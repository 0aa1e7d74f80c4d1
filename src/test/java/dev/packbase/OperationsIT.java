package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Await;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.StandaloneProcess;
import dev.packbase.testing.Zig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees, with real parts: the packaged WAR standalone, with its metrics on their own port and
 * the JSON access log; a scripted workload of tarball downloads (the launcher's fast path among them), a
 * {@code git clone}, a {@code zig fetch} and a failing {@code POST /api/fetch}; then a real Prometheus (Debian's)
 * that scraped packbase answers its HTTP API with the counters, {@code promtool check metrics} accepts the
 * exposition, and the access log's lines carry each answer's request id, route kind, status and bytes.
 */
class OperationsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARBALL = "/p/hello/tag/v0.1.0.tar.gz";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void prometheusScrapesTheWorkloadAndTheAccessLogTellsEachRequest(@TempDir Path root, @TempDir Path tmp)
            throws Exception {
        int metricsPort = freePort();
        Path accessLog = tmp.resolve("access.jsonl");
        try (StandaloneProcess server = StandaloneProcess.builder(StandaloneProcess.packagedWar())
                .env("PACKBASE_ROOT", root.toString())
                .env("PACKBASE_METRICS_PORT", String.valueOf(metricsPort))
                .env("PACKBASE_ACCESS_LOG", accessLog.toString())
                .env("PACKBASE_ACCESS_LOG_FORMAT", "json")
                .jvmArg("-Djava.io.tmpdir=" + tmp)
                .start()) {
            URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");

            // The metrics port serves /metrics and nothing else; the main port never serves /metrics.
            assertEquals(404, get(server.uri("/metrics")).statusCode());
            assertEquals(404, get(URI.create("http://127.0.0.1:" + metricsPort + "/api/status")).statusCode());

            // Workload: three downloads (the first fills the cache, the next two come from the fast path).
            List<HttpResponse<byte[]>> downloads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                downloads.add(get(server.uri(TARBALL)));
                assertEquals(200, downloads.get(i).statusCode());
            }
            Path work = Files.createDirectories(tmp.resolve("work"));
            Cmd.Result clone = Cmd.exec(work, Map.of("GIT_TERMINAL_PROMPT", "0"),
                    List.of("git", "clone", "-q", server.uri("/git/hello.git").toString(), "hello"));
            assertEquals(0, clone.exit(), clone.stderr());
            Zig.require("0.14.1").ok(work, tmp.resolve("zig"), "fetch", server.uri(TARBALL).toString());
            int closed = freePort();
            HttpResponse<String> failed = http.send(HttpRequest.newBuilder(server.uri("/api/fetch"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"http://127.0.0.1:" + closed + "/gone.git\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(502, failed.statusCode(), failed.body());
            String failedId = failed.headers().firstValue("X-Request-Id").orElseThrow();
            assertEquals(failedId, JSON.readTree(failed.body()).path("request_id").asText());

            // packbase's own view, read once the workload is over; only scrapes follow, counted as "other".
            String exposition = getText(metrics);
            double tarballs = sample(exposition, "packbase_http_requests_total{route=\"tarball\",status=\"2xx\"}");
            double hits = sample(exposition, "packbase_tarball_cache_lookups_total{result=\"hit\"}");
            double smart = sample(exposition, "packbase_http_requests_total{route=\"git-smart\",status=\"2xx\"}");
            assertTrue(tarballs >= 4, "three downloads and zig's: " + tarballs);
            assertTrue(hits >= 2, "the fast path's downloads are hits: " + hits);
            assertTrue(smart >= 2, "a clone is an advertisement and an upload-pack: " + smart);
            assertEquals(1, sample(exposition, "packbase_ingests_total{outcome=\"upstream_failed\"}"));
            assertTrue(sample(exposition, "packbase_upstream_requests_total{outcome=\"failed\"}") >= 1);
            assertEquals(1, sample(exposition, "packbase_http_requests_total{route=\"api\",status=\"5xx\"}"));

            Path promtoolInput = tmp.resolve("exposition.txt");
            Files.writeString(promtoolInput, exposition);
            Cmd.Result lint = Cmd.exec(tmp, Map.of(), List.of("sh", "-c", "promtool check metrics < " + promtoolInput));
            assertEquals(0, lint.exit(), "promtool check metrics:\n" + lint.stdout() + lint.stderr());

            try (Prometheus prometheus = Prometheus.start(tmp.resolve("prometheus"), metricsPort)) {
                assertEquals(tarballs, prometheus.await(
                        "packbase_http_requests_total{route=\"tarball\",status=\"2xx\"}", tarballs));
                assertEquals(hits, prometheus.await("packbase_tarball_cache_lookups_total{result=\"hit\"}", hits));
                assertEquals(smart, prometheus.await(
                        "packbase_http_requests_total{route=\"git-smart\",status=\"2xx\"}", smart));
                assertEquals(1, prometheus.await("packbase_ingests_total{outcome=\"upstream_failed\"}", 1));
                assertEquals(1, prometheus.await("packbase_packages{health=\"healthy\"}", 1));
                assertTrue(prometheus.await("sum(packbase_http_response_bytes_total{route=\"tarball\"})",
                        3.0 * downloads.get(0).body().length) >= 3.0 * downloads.get(0).body().length);
                assertTrue(prometheus.await("jvm_threads_current", 1) >= 1, "JVM metrics are scraped");
            }

            // The JSON access log: one line per answer, fast path included, with the id the client saw.
            List<JsonNode> lines = Await.value("the access log has the failed fetch", WAIT, () -> readLines(accessLog),
                    l -> l.stream().anyMatch(n -> failedId.equals(n.path("request_id").asText())));
            JsonNode failedLine = lines.stream().filter(n -> failedId.equals(n.path("request_id").asText())).findFirst()
                    .orElseThrow();
            assertEquals("POST", failedLine.path("method").asText());
            assertEquals("/api/fetch", failedLine.path("path").asText());
            assertEquals("api", failedLine.path("route").asText());
            assertEquals(502, failedLine.path("status").asInt());
            assertTrue(failedLine.path("duration_ms").asDouble() > 0);
            assertEquals("127.0.0.1", failedLine.path("remote_addr").asText());
            assertTrue(failedLine.path("time").asText().endsWith("Z"));
            for (HttpResponse<byte[]> d : downloads) {
                String id = d.headers().firstValue("X-Request-Id").orElseThrow();
                JsonNode line = lines.stream().filter(n -> id.equals(n.path("request_id").asText())).findFirst()
                        .orElseThrow(() -> new AssertionError("no access log line for " + id));
                assertEquals("tarball", line.path("route").asText());
                assertEquals(200, line.path("status").asInt());
                assertEquals(d.body().length, line.path("bytes").asLong());
            }
            assertTrue(lines.stream().anyMatch(n -> n.path("route").asText().equals("git-smart")), "the clone");
        }
    }

    private static List<JsonNode> readLines(Path log) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line)); // every line parses as one JSON object
                }
            }
        }
        return lines;
    }

    private HttpResponse<byte[]> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private String getText(URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static double sample(String exposition, String series) {
        return dev.packbase.metrics.PrometheusMetricsTestAccess.value(exposition, series);
    }

    /** A port free a moment ago (Prometheus cannot listen on port 0). */
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Debian's prometheus binary on loopback, scraping packbase's metrics port every second. */
    private static final class Prometheus implements AutoCloseable {
        private final Process process;
        private final URI api;
        private final HttpClient http = HttpClient.newHttpClient();
        private final Path logFile;

        private Prometheus(Process process, URI api, Path logFile) {
            this.process = process;
            this.api = api;
            this.logFile = logFile;
        }

        static Prometheus start(Path dir, int target) throws Exception {
            Files.createDirectories(dir);
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, String.join("\n",
                    "global:",
                    "  scrape_interval: 1s",
                    "  scrape_timeout: 1s",
                    "scrape_configs:",
                    "  - job_name: packbase",
                    "    static_configs:",
                    "      - targets: ['127.0.0.1:" + target + "']",
                    ""));
            int port = freePort();
            Path log = dir.resolve("prometheus.log");
            Process p = new ProcessBuilder("prometheus", "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Prometheus(p, URI.create("http://127.0.0.1:" + port), log);
        }

        /** Waits until {@code query} has a value of at least {@code atLeast}; returns it. */
        double await(String query, double atLeast) throws Exception {
            return Await.value("Prometheus answers " + query + " >= " + atLeast, WAIT, () -> value(query).orElse(-1.0),
                    v -> v >= atLeast);
        }

        private Optional<Double> value(String query) throws Exception {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited:\n" + Files.readString(logFile));
            }
            URI uri = URI.create(api + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            HttpResponse<String> r;
            try {
                r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                return Optional.empty(); // not listening yet
            }
            JsonNode body = JSON.readTree(r.body());
            JsonNode result = body.path("data").path("result");
            if (!"success".equals(body.path("status").asText()) || result.size() != 1) {
                return Optional.empty();
            }
            return Optional.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
