package dev.packbase.testing;

import dev.packbase.config.Config;
import dev.packbase.config.ConfigLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** Builds a {@link Config} for a test root from context-param style settings, touching no real environment. */
public final class TestConfigs {
    private TestConfigs() {
    }

    public static Config config(Path root, Map<String, String> settings) {
        Map<String, String> params = new HashMap<>(settings);
        params.put("packbase.root", root.toString());
        return new ConfigLoader(Map.of(), new Properties(), params::get, "test-release").load().config();
    }
}
