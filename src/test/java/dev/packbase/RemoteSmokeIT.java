package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.testing.Cmd;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.StandaloneProcess;
import dev.packbase.testing.Zig;
import dev.packbase.testing.ZigPackages;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * test/remote.sh, the smoke check of a deployed instance, run against {@code java -jar packbase.war}
 * on loopback over http: the seed package {@code hello} plus {@code greet} fetched from a real Git
 * upstream, with Zig 0.15.1.
 */
class RemoteSmokeIT {
    private static final Path SCRIPT = Path.of("test/remote.sh");
    private static final String RELEASE = "r-smoke";
    private static final List<String> CHECKS = List.of("status", "clone", "info", "build", "liveness", "batch");

    @TempDir
    static Path root;
    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    static Path home;

    private static GitHttpBackend upstream;
    private static StandaloneProcess server;
    private static Zig zig;

    @BeforeAll
    static void startServer() throws Exception {
        zig = Zig.require("0.15.1");
        ZigPackages.greetRepo(upstreamRoot, "greet", scratch, false);
        upstream = GitHttpBackend.start(upstreamRoot);
        server = StandaloneProcess.builder(StandaloneProcess.packagedWar())
                .env("PACKBASE_ROOT", root.toString())
                .env("PACKBASE_RELEASE", RELEASE)
                .env("PACKBASE_SEED", "true")
                .start();
        HttpResponse<String> fetched = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(server.uri("/api/fetch"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + upstream.url("greet") + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, fetched.statusCode(), fetched.body());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static Cmd.Result remote(String expectedRelease, Path work) {
        String domain = server.baseUri().getHost() + ":" + server.baseUri().getPort();
        Map<String, String> env = new HashMap<>();
        env.put("PACKBASE_REMOTE_SCHEME", "http");
        env.put("ZIG", Zig.home().resolve(zig.version()).resolve("ziglang").resolve("zig").toString());
        env.put("PACKBASE_REMOTE_WORK", work.toString());
        // Reuse the compiled build runners of the suite's Zig cache; zig fetch still always downloads.
        env.put("PACKBASE_REMOTE_ZIG_GLOBAL_CACHE", Zig.home().resolve("cache").resolve(zig.version()).toString());
        env.put("HOME", home.toString());
        for (String name : List.of("PACKBASE_REMOTE_DOMAIN", "PACKBASE_REMOTE_PACKAGE", "PACKBASE_EXPECTED_RELEASE",
                "PACKBASE_REMOTE_BATCH", "PACKBASE_REMOTE_SCAN_MAX", "PACKBASE_REMOTE_TIMEOUT",
                "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")) {
            env.put(name, null);
        }
        Cmd.Result r = Cmd.exec(Path.of("").toAbsolutePath(), env,
                List.of("bash", SCRIPT.toAbsolutePath().toString(), domain, "hello", expectedRelease));
        System.out.println(r.stdout());
        return r;
    }

    private static String describe(Cmd.Result r) {
        return "exit " + r.exit() + "\n--- stdout ---\n" + r.stdout() + "\n--- stderr ---\n" + r.stderr();
    }

    @Test
    void allSixChecksPassAgainstAHealthyInstance(@TempDir Path work) {
        assertTrue(Files.isRegularFile(SCRIPT), "test/remote.sh exists");
        Cmd.Result r = remote(RELEASE, work);
        assertEquals(0, r.exit(), describe(r) + "\n--- server ---\n" + server.output());
        for (int i = 0; i < CHECKS.size(); i++) {
            Pattern pass = Pattern.compile("(?m)^PASS " + (i + 1) + " " + CHECKS.get(i) + ": ");
            assertTrue(pass.matcher(r.stdout()).find(), "a PASS line for check " + (i + 1) + "\n" + describe(r));
        }
        assertTrue(!Pattern.compile("(?m)^FAIL ").matcher(r.stdout()).find(), describe(r));
        assertTrue(r.stdout().contains("2 of the 2 smallest healthy packages"), "hello and greet in the batch\n" + describe(r));
        assertTrue(r.stdout().contains("fetched greet v1.1.0"), describe(r));
        assertTrue(r.stdout().contains("release=" + RELEASE), describe(r));
    }

    @Test
    void aWrongReleaseFailsAndNamesTheRelease(@TempDir Path work) {
        Cmd.Result r = remote("r-not-deployed", work);
        assertNotEquals(0, r.exit(), describe(r));
        assertTrue(Pattern.compile("(?m)^FAIL 1 status: .*release.*'" + RELEASE + "'.*'r-not-deployed'")
                .matcher(r.stdout()).find(), describe(r));
    }
}
