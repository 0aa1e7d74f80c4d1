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
        assertFalse(c.fetch().allowFileUrls());
        assertEquals(Duration.ofSeconds(300), c.fetch().timeout());
        assertTrue(loaded.report().stream().anyMatch(l -> l.startsWith("packbase.root = public -> /")
                && l.endsWith("(default)")), loaded.report().toString());
        assertEquals(java.util.Arrays.stream(Setting.values()).filter(s -> !s.standaloneOnly() || s == Setting.PORT).count(),
                loaded.report().size(), "one startup line per setting the webapp reads");
    }

    @Test
    void upstreamRewritesAreReadAndABadPairIsNamed() {
        Config c = load(Map.of("PACKBASE_UPSTREAM_REWRITES", "https://github.com/=http://127.0.0.1:8/gh/"), Map.of(), Map.of())
                .config();
        assertEquals("http://127.0.0.1:8/gh/o/r", c.fetch().rewrites().apply("https://github.com/o/r"));
        PackbaseException e = assertThrows(PackbaseException.class,
                () -> load(Map.of("PACKBASE_UPSTREAM_REWRITES", "https://github.com/"), Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("PACKBASE_UPSTREAM_REWRITES") && e.getMessage().contains("prefix=replacement"),
                e.getMessage());
    }

    @Test
    void systemPropertyBeatsEnvironmentBeatsContextParam() {
        Config c = load(Map.of("PACKBASE_PORT", "9001", "PACKBASE_RELEASE", "env"),
                Map.of("packbase.port", "9002"),
                Map.of("packbase.port", "9003", "packbase.release", "param", "packbase.max.files", "7")).config();
        assertEquals(9002, c.port());
        assertEquals("env", c.release());
        assertEquals(7, c.ingest().maxFiles());
    }

    @Test
    void everyValueIsReportedWithItsSourceButNeverTheToken() {
        ConfigLoader.Loaded loaded = load(Map.of("PACKBASE_TOKEN", "hunter2"), Map.of("packbase.max.tarball.bytes", "1g"),
                Map.of("packbase.seed", "false"));
        assertEquals(Optional.of("hunter2"), loaded.config().token());
        assertEquals(1L << 30, loaded.config().ingest().maxTarballBytes());
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

    @Test
    void anEmptyValueMeansTheDefaultButAnEmptyListIsEmpty() {
        Config c = load(Map.of("PACKBASE_PORT", "", "PACKBASE_SEED", " ", "PACKBASE_TRUSTED_PROXIES", ""),
                Map.of(), Map.of("packbase.port", "9003")).config();
        assertEquals(8080, c.port(), "an empty environment value is found first and means the default");
        assertTrue(c.seed());
        assertEquals(java.util.Set.of(), c.trustedProxies(), "an empty list trusts no proxy");
    }

    @Test
    void fileIsAnAllowedSchemeLikeAnyOther() {
        Config c = load(Map.of("PACKBASE_FETCH_ALLOWED_SCHEMES", "https, FILE"), Map.of(), Map.of()).config();
        assertEquals(java.util.List.of("https", "file"), c.fetch().allowedSchemes());
        assertTrue(c.fetch().allowFileUrls());
        assertFalse(load(Map.of(), Map.of(), Map.of()).config().fetch().allowFileUrls());
    }

    @Test
    void eachRetiredNameStillWorksWithExactlyOneWarningNamingItsReplacement() {
        for (Settings.Retired retired : Settings.Retired.values()) {
            String value = retired == Settings.Retired.ALLOW_FILE_URLS ? "true" : "12";
            // Set twice (system property and environment): still one warning, from the winning source.
            java.util.List<java.util.logging.LogRecord> records = logged(() -> load(Map.of(retired.envName(), value),
                    Map.of(retired.dottedName(), value), Map.of()));
            java.util.List<String> warnings = records.stream()
                    .filter(r -> r.getLevel() == java.util.logging.Level.WARNING).map(java.util.logging.LogRecord::getMessage)
                    .toList();
            assertEquals(1, warnings.size(), retired + ": " + warnings);
            assertTrue(warnings.get(0).startsWith(retired.envName() + " (system property " + retired.dottedName() + ")"),
                    warnings.get(0));
            assertTrue(warnings.get(0).contains("use " + retired.replacement().envName()), warnings.get(0));
        }
        assertEquals(java.util.List.of(), load(Map.of(), Map.of(), Map.of()).warnings(), "nothing retired, nothing to warn");
    }

    @Test
    void allowFileUrlsFoldsIntoTheAllowedSchemes() {
        Config on = load(Map.of("PACKBASE_ALLOW_FILE_URLS", "true", "PACKBASE_FETCH_ALLOWED_SCHEMES", "https"),
                Map.of(), Map.of()).config();
        assertEquals(java.util.List.of("https", "file"), on.fetch().allowedSchemes());
        assertTrue(on.fetch().allowFileUrls());
        Config off = load(Map.of(), Map.of(), Map.of("packbase.allow.file.urls", "false")).config();
        assertEquals(java.util.List.of("https", "http"), off.fetch().allowedSchemes());
        PackbaseException bad = assertThrows(PackbaseException.class,
                () -> load(Map.of("PACKBASE_ALLOW_FILE_URLS", "maybe"), Map.of(), Map.of()));
        assertTrue(bad.getMessage().contains("PACKBASE_ALLOW_FILE_URLS='maybe'"), bad.getMessage());
    }

    @Test
    void theSourceCatalogIsBoundedByTheFetchLimits() {
        Config c = load(Map.of("PACKBASE_MAX_DOWNLOAD_BYTES", "16m", "PACKBASE_FETCH_TIMEOUT_SECONDS", "40",
                "PACKBASE_SOURCE_MAX_BYTES", "1k", "PACKBASE_SOURCE_TIMEOUT_SECONDS", "1"), Map.of(), Map.of()).config();
        assertEquals(16L << 20, c.fetch().catalogMaxBytes());
        assertEquals(Duration.ofSeconds(40), c.fetch().timeout());
        assertEquals(Integer.MAX_VALUE - 8, load(Map.of("PACKBASE_MAX_DOWNLOAD_BYTES", "8g"), Map.of(), Map.of())
                .config().fetch().catalogMaxBytes(), "the catalog is read into one array");
    }

    @Test
    void withSeedChangesTheSeedOnly() {
        Config c = load(Map.of("PACKBASE_TOKEN", "t", "PACKBASE_MAX_FILES", "9"), Map.of(), Map.of()).config();
        Config noSeed = c.withSeed(false);
        assertFalse(noSeed.seed());
        assertEquals(c, noSeed.withSeed(true));
    }

    /** The launcher reads PORT through the same resolver: same value, same precedence, same error. */
    @Test
    void theLauncherAndTheWebappReadAPortAlike() {
        java.util.List<Map<String, String>> envs = java.util.List.of(Map.of(), Map.of("PACKBASE_PORT", "9001"),
                Map.of("PACKBASE_PORT", " 9004 "), Map.of("PACKBASE_PORT", ""));
        java.util.List<Map<String, String>> props = java.util.List.of(Map.of(), Map.of("packbase.port", "9002"));
        for (Map<String, String> env : envs) {
            for (Map<String, String> sys : props) {
                Properties p = new Properties();
                p.putAll(sys);
                int launcher = dev.packbase.runner.StandaloneServer.ServerSettings.resolve(new Settings(env, p, n -> null)).port();
                assertEquals(load(env, sys, Map.of()).config().port(), launcher, env + " " + sys);
            }
        }
        IllegalArgumentException launcher = assertThrows(IllegalArgumentException.class,
                () -> dev.packbase.runner.StandaloneServer.ServerSettings.resolve(
                        new Settings(Map.of("PACKBASE_PORT", "eighty"), new Properties(), n -> null)));
        PackbaseException webapp = assertThrows(PackbaseException.class,
                () -> load(Map.of("PACKBASE_PORT", "eighty"), Map.of(), Map.of()));
        assertEquals(launcher.getMessage(), webapp.getMessage());
    }

    @Test
    void noSettingIsListedTwice() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Setting s : Setting.values()) {
            assertTrue(names.add(s.envName()), s.envName() + " is listed twice");
            assertTrue(s.envName().startsWith("PACKBASE_"), s.envName());
        }
        for (Settings.Retired r : Settings.Retired.values()) {
            assertTrue(names.add(r.envName()), r.envName() + " is both a setting and a retired name");
        }
    }

    @Test
    void readmeTableIsTheOneSettingGenerates() throws java.io.IOException {
        Path readme = Path.of("README.md");
        String text = java.nio.file.Files.readString(readme);
        String current = SettingsTable.currentBlock(text);
        String hint = "README.md's settings table differs from dev.packbase.config.Setting; regenerate it with: "
                + SettingsTable.REGENERATE;
        assertTrue(current != null, "README.md has no generated settings table; " + hint);
        assertEquals(SettingsTable.block(), current, hint);
        assertEquals(1, text.split(java.util.regex.Pattern.quote("`PACKBASE_TRUSTED_PROXIES` |"), -1).length - 1,
                "a setting has one row in README.md");
    }

    /** The launcher loads the Setting* classes from the WAR root with nothing but the JDK and Jetty beside them. */
    @Test
    void theLauncherReachablePartNeedsOnlyTheJdk(@org.junit.jupiter.api.io.TempDir Path isolated) throws Exception {
        Path classes = Path.of(Setting.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = java.nio.file.Files.createDirectories(isolated.resolve("dev/packbase/config"));
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(classes.resolve("dev/packbase/config"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().startsWith("Setting")) {
                    java.nio.file.Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {isolated.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> table = Class.forName("dev.packbase.config.SettingsTable", true, loader);
            assertEquals(SettingsTable.block(), table.getMethod("block").invoke(null));
            @SuppressWarnings({"unchecked", "rawtypes"})
            Object port = Enum.valueOf((Class) Class.forName("dev.packbase.config.Setting", true, loader), "PORT");
            Class<?> settings = Class.forName("dev.packbase.config.Settings", true, loader);
            Object resolver = settings.getConstructor(Map.class, Properties.class, java.util.function.Function.class)
                    .newInstance(Map.of("PACKBASE_PORT", "9005"), new Properties(),
                            (java.util.function.Function<String, String>) n -> null);
            assertEquals(9005, settings.getMethod("integer", port.getClass(), int.class, int.class)
                    .invoke(resolver, port, 0, 65535));
            Object retired = Enum.valueOf((Class) Class.forName("dev.packbase.config.Settings$Retired", true, loader),
                    "ALLOW_FILE_URLS");
            settings.getMethod("retired", retired.getClass()).invoke(resolver, retired);
        }
    }

    private static java.util.List<java.util.logging.LogRecord> logged(Runnable action) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(ConfigLoader.class.getName());
        java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            action.run();
        } finally {
            logger.removeHandler(handler);
        }
        return records;
    }
}
