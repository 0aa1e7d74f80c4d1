package dev.packbase.zig;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link ZigManifest#parse} with build.zig.zon bytes: a manifest or a
 * {@link ZonParseException}, nothing else; and the accessors the hash builder relies on work on
 * whatever parsed. Seeds: ZigManifestFuzzTestInputs/parse.
 */
class ZigManifestFuzzIT {

    @FuzzTest
    void parse(byte[] source) {
        ZigManifest m;
        try {
            m = ZigManifest.parse(source);
        } catch (ZonParseException expected) {
            return;
        }
        assertNotNull(m.warnings());
        assertNotNull(m.dependencies());
        for (ZigEra era : ZigEra.values()) {
            if (m.acceptedBy(era) && era.usesNewHash()) {
                assertNotNull(m.name());
                m.hashVersion();
            }
            m.rejectionsFor(era);
        }
        m.fingerprintId();
        m.includes("build.zig");
        m.includes("src/root.zig");
        for (ZigManifest.Warning w : m.warnings()) {
            assertNotNull(w.toString());
        }
    }
}
