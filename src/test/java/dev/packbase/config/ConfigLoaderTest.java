package dev.packbase.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.PackbaseException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static ConfigLoader.Loaded load(Map<String, String> env, Map<String, String> sys, Map<String, String> params) {
        Properties p = new Properties();
        p.putAll(sys);
        return new ConfigLoader(env, p, params::get, "r-build").load();
    }

    @Test
    void defaultsMatchTheContract() {
        ConfigLoader.Loaded loaded = load(Map.of(), Map.of(), Map.of());
        Config c = loaded.config();
        assertEquals(Path.of("public").toAbsolutePath().normalize(), c.root());
        assertEquals(8080, c.port());
        assertEquals(Optional.empty(), c.token());
        assertEquals(Optional.empty(), c.source());
        assertEquals("r-build", c.release());
        assertTrue(c.seed());
        assertFalse(c.limits().allowFileUrls());
        assertEquals(Duration.ofSeconds(300), c.limits().fetchTimeout());
        assertTrue(loaded.report().stream().anyMatch(l -> l.startsWith("packbase.root = public -> /")
                && l.endsWith("(default)")), loaded.report().toString());
        assertEquals(java.util.Arrays.stream(Setting.values()).filter(s -> !s.standaloneOnly() || s == Setting.PORT).count(),
                loaded.report().size(), "one startup line per setting the webapp reads");
    }

    @Test
    void systemPropertyBeatsEnvironmentBeatsContextParam() {
        Config c = load(Map.of("PACKBASE_PORT", "9001", "PACKBASE_RELEASE", "env"),
                Map.of("packbase.port", "9002"),
                Map.of("packbase.port", "9003", "packbase.release", "param", "packbase.max.files", "7")).config();
        assertEquals(9002, c.port());
        assertEquals("env", c.release());
        assertEquals(7, c.limits().maxFiles());
    }

    @Test
    void everyValueIsReportedWithItsSourceButNeverTheToken() {
        ConfigLoader.Loaded loaded = load(Map.of("PACKBASE_TOKEN", "hunter2"), Map.of("packbase.max.tarball.bytes", "1g"),
                Map.of("packbase.seed", "false"));
        assertEquals(Optional.of("hunter2"), loaded.config().token());
        assertEquals(1L << 30, loaded.config().limits().maxTarballBytes());
        assertTrue(loaded.report().contains("packbase.token = (set, hidden) (environment PACKBASE_TOKEN)"));
        assertTrue(loaded.report().contains("packbase.max.tarball.bytes = 1g (system property packbase.max.tarball.bytes)"));
        assertTrue(loaded.report().contains("packbase.seed = false (context-param packbase.seed)"));
        assertFalse(String.join("\n", loaded.report()).contains("hunter2"));
    }

    @Test
    void unusableValuesFailFastNamingTheSettingAndValue() {
        PackbaseException port = assertThrows(PackbaseException.class,
                () -> load(Map.of("PACKBASE_PORT", "eighty"), Map.of(), Map.of()));
        assertTrue(port.getMessage().contains("PACKBASE_PORT='eighty'"), port.getMessage());
        assertThrows(PackbaseException.class, () -> load(Map.of("PACKBASE_PORT", "70000"), Map.of(), Map.of()));
        assertThrows(PackbaseException.class, () -> load(Map.of("PACKBASE_SEED", "maybe"), Map.of(), Map.of()));
        PackbaseException source = assertThrows(PackbaseException.class,
                () -> load(Map.of("PACKBASE_SOURCE", "ftp://x/catalog.json"), Map.of(), Map.of()));
        assertTrue(source.getMessage().contains("PACKBASE_SOURCE"), source.getMessage());
        assertThrows(PackbaseException.class, () -> load(Map.of("PACKBASE_MAX_FILES", "0"), Map.of(), Map.of()));
        PackbaseException scheme = assertThrows(PackbaseException.class,
                () -> load(Map.of("PACKBASE_FETCH_ALLOWED_SCHEMES", "https,ftp"), Map.of(), Map.of()));
        assertTrue(scheme.getMessage().contains("PACKBASE_FETCH_ALLOWED_SCHEMES") && scheme.getMessage().contains("ftp"),
                scheme.getMessage());
    }
}
