package dev.packbase.zig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ZigManifest}: build.zig.zon read as Zig's loader reads it. Where a test says "observed", the
 * behaviour was checked with zig fetch 0.13.0, 0.14.1, 0.15.1, 0.16.0 and 0.17.1.
 */
class ZonManifestTest {
    private static final String MODERN = ".name = .foo, .version = \"0.1.0\", .fingerprint = 0x8c736521490b23df,"
            + " .paths = .{\"\"}";
    private static final String LEGACY = ".name = \"foo\", .version = \"0.1.0\", .paths = .{\"\"}";

    private static ZigManifest parse(String s) throws ZonParseException {
        return ZigManifest.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ZonParseException failure(String s) {
        return assertThrows(ZonParseException.class, () -> parse(s), s.length() > 200 ? s.substring(0, 200) + "..." : s);
    }

    private static Set<ZigEra> accepted(ZigManifest m) {
        Set<ZigEra> s = EnumSet.noneOf(ZigEra.class);
        for (ZigEra e : ZigEra.values()) {
            if (m.acceptedBy(e)) {
                s.add(e);
            }
        }
        return s;
    }

    @Test
    void readsAllFields() throws Exception {
        ZigManifest m = parse("""
                .{
                    .name = .hello,
                    .version = "1.2.3-rc.1+build.5",
                    .fingerprint = 0x%s,
                    .minimum_zig_version = "0.14.0",
                    .dependencies = .{
                        .clap = .{ .url = "https://example.com/clap.tar.gz", .hash = "clap-0.10.0-%s" },
                        .@"local-dep" = .{ .path = "../local", .lazy = true },
                    },
                    .paths = .{ "build.zig", "build.zig.zon", "src", },
                    .future_field = .{ .anything = 1 },
                }
                """.formatted(Long.toHexString(ZigManifest.fingerprintChecksum("hello") << 32 | 0x7061636bL),
                "A".repeat(44)));
        assertEquals("hello", m.name());
        assertEquals(ZigManifest.NameForm.ENUM_LITERAL, m.nameForm());
        assertEquals("1.2.3-rc.1+build.5", m.version());
        assertEquals(0x7061636bL, m.fingerprintId());
        assertEquals("0.14.0", m.minimumZigVersion());
        assertEquals(List.of("build.zig", "build.zig.zon", "src"), m.paths());
        assertEquals(List.of(
                new ZigManifest.Dependency("clap", "https://example.com/clap.tar.gz", "clap-0.10.0-" + "A".repeat(44), null, null),
                new ZigManifest.Dependency("local-dep", null, null, "../local", true)), m.dependencies());
        assertEquals(Set.of(ZigEra.ZIG_0_14_TO_0_15, ZigEra.ZIG_0_16_AND_LATER), accepted(m));
        assertEquals(2, m.warnings().size(), m.warnings().toString());
        for (ZigManifest.Warning w : m.warnings()) {
            assertEquals(Set.of(ZigEra.ZIG_0_12_TO_0_13), w.rejectedBy(), "enum name and new-form hash: " + w);
        }
    }

    @Test
    void fingerprintIsAnUnsignedU64() throws Exception {
        ZigManifest m = parse(".{ .name = .foo, .version = \"0.1.0\", .fingerprint = 0xffffffffffffffff, .paths = .{\"\"} }");
        assertEquals(-1L, m.fingerprint());
        assertEquals(0xFFFF_FFFFL, m.fingerprintId());
        assertFalse(m.acceptedBy(ZigEra.ZIG_0_14_TO_0_15), "id all-ones and wrong checksum");
        ZigManifest big = parse(".{ .name = .foo, .version = \"0.1.0\", .fingerprint = 0x1_8c736521490b23df, .paths = .{\"\"} }");
        assertNull(big.fingerprint());
        assertTrue(big.rejectionsFor(ZigEra.ZIG_0_16_AND_LATER).get(0).contains("big_int"), "observed message");
    }

    @Test
    void fingerprintValidation() throws Exception {
        assertTrue(parse(".{" + MODERN + "}").acceptedBy(ZigEra.ZIG_0_16_AND_LATER));
        for (String fp : List.of("0x1234567890", "0x8c73652100000000", "0x8c736521ffffffff", "\"x\"", "-1", "1.5",
                "'a'", "0b102")) {
            ZigManifest m = parse(".{ .name = .foo, .version = \"0.1.0\", .fingerprint = " + fp + ", .paths = .{\"\"} }");
            assertFalse(m.acceptedBy(ZigEra.ZIG_0_14_TO_0_15), fp);
            assertFalse(m.acceptedBy(ZigEra.ZIG_0_16_AND_LATER), fp);
        }
        // 0.13 never reads the field: a broken fingerprint does not hurt it (observed with "x").
        ZigManifest legacy = parse(".{" + LEGACY + ", .fingerprint = \"x\" }");
        assertTrue(legacy.acceptedBy(ZigEra.ZIG_0_12_TO_0_13));
    }

    @Test
    void nameRulesPerEra() throws Exception {
        assertEquals(EnumSet.of(ZigEra.ZIG_0_12_TO_0_13, ZigEra.ZIG_0_14_TO_0_15), accepted(parse(".{" + LEGACY + "}")));
        assertEquals(EnumSet.of(ZigEra.ZIG_0_14_TO_0_15, ZigEra.ZIG_0_16_AND_LATER), accepted(parse(".{" + MODERN + "}")));
        assertEquals(EnumSet.of(ZigEra.ZIG_0_12_TO_0_13),
                accepted(parse(".{ .name = \"zig-clap\", .version = \"0.1.0\", .paths = .{\"\"} }")));
        assertEquals(EnumSet.of(ZigEra.ZIG_0_12_TO_0_13),
                accepted(parse(".{ .name = \"" + "a".repeat(33) + "\", .version = \"0.1.0\", .paths = .{\"\"} }")));
        assertEquals(EnumSet.noneOf(ZigEra.class), accepted(parse(
                ".{ .name = .@\"foo\", .version = \"0.1.0\", .fingerprint = 0x8c736521490b23df, .paths = .{\"\"} }")),
                "observed: 0.14+ refuse .@\"...\" names, 0.13 refuses enum names");
        ZigManifest noFp = parse(".{ .name = .foo, .version = \"0.1.0\", .paths = .{\"\"} }");
        assertEquals(EnumSet.of(ZigEra.ZIG_0_14_TO_0_15), accepted(noFp), "observed: id 0 in 0.14/0.15, refused by 0.16");
        assertTrue(ZigManifest.isValidIdentifier("foo_1"));
        assertFalse(ZigManifest.isValidIdentifier("1foo"));
        assertFalse(ZigManifest.isValidIdentifier("test"));
        assertFalse(ZigManifest.isValidIdentifier("zig-clap"));
        assertFalse(ZigManifest.isValidIdentifier(""));
    }

    @Test
    void versionRules() throws Exception {
        for (String ok : List.of("0.0.0", "1.2.3-alpha.1", "1.2.3+build-7.x", "1.0.0-0a", "1.0.0-x-y-z.--")) {
            assertEquals(ok, parse(".{ .name = .foo, .version = \"" + ok + "\", .paths = .{\"\"} }").hashVersion(), ok);
        }
        for (String bad : List.of("1.0", "1.0.0.0", "01.0.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1.0.0-a..b", "v1.0.0",
                "1.0.0-a_b", "18446744073709551616.0.0", "_1.0.0", "1_.0.0", "")) {
            assertTrue(failure(".{ .name = .foo, .version = \"" + bad + "\", .paths = .{\"\"} }").reason()
                    .contains("semantic version"), bad);
        }
        ZigManifest m = parse(".{ .name = .foo, .version = \"1__0.0.0\", .paths = .{\"\"} }");
        assertEquals("10.0.0", m.hashVersion(), "Zig's parseUnsigned skips '_'");
        assertTrue(m.warnings().stream().anyMatch(w -> w.message().contains("not strict semver")));
        ZigManifest tooLong = parse(".{ .name = .foo, .version = \"0.1.0-" + "a".repeat(30) + "\", .paths = .{\"\"} }");
        assertFalse(tooLong.acceptedBy(ZigEra.ZIG_0_14_TO_0_15), "observed: length 36 exceeds maximum of 32");
        failure(".{ .name = .foo, .version = \"0.1.0\", .minimum_zig_version = \"0.x\", .paths = .{\"\"} }");
    }

    @Test
    void pathsRules() throws Exception {
        assertNull(parse(".{ .name = .foo, .version = \"0.1.0\" }").paths());
        assertTrue(parse(".{ .name = .foo, .version = \"0.1.0\" }").warnings().stream()
                .anyMatch(w -> w.message().contains("missing .paths")));
        assertTrue(failure(".{ .name = .foo, .version = \"0.1.0\", .paths = .{} }").reason()
                .contains("list of strings"), "observed: .{} is not a list");
        failure(".{ .name = .foo, .version = \"0.1.0\", .paths = .{ 1 } }");
        failure(".{ .name = .foo, .version = \"0.1.0\", .paths = .{ .x = \"a\" } }");
        failure(".{ .name = .foo, .version = \"0.1.0\", .paths = .{ \\\\multi\n } }");
        ZigManifest m = parse(".{ .name = .foo, .version = \"0.1.0\", .paths = .{ \"./src/\" } }");
        assertTrue(m.includes("src/a.zig"));
        assertFalse(m.includes("build.zig.zon"));
        assertTrue(m.warnings().stream().anyMatch(w -> w.message().contains("does not include build.zig.zon")));
    }

    @Test
    void dependencyRulesPerEra() throws Exception {
        String legacyHash = "1220" + "ab".repeat(32);
        String newHash = "foo-0.1.0-" + "A".repeat(44);
        ZigManifest l = parse(".{" + MODERN + ", .dependencies = .{ .a = .{ .url = \"u\", .hash = \"" + legacyHash + "\" } } }");
        assertTrue(l.acceptedBy(ZigEra.ZIG_0_14_TO_0_15));
        assertFalse(l.acceptedBy(ZigEra.ZIG_0_16_AND_LATER), "observed: invalid hash: incomplete");
        ZigManifest n = parse(".{" + LEGACY + ", .dependencies = .{ .a = .{ .url = \"u\", .hash = \"" + newHash + "\" } } }");
        assertFalse(n.acceptedBy(ZigEra.ZIG_0_12_TO_0_13), "observed: invalid multihash value");
        assertTrue(n.acceptedBy(ZigEra.ZIG_0_14_TO_0_15));
        ZigManifest shortHash = parse(".{" + LEGACY + ", .dependencies = .{ .a = .{ .url = \"u\", .hash = \"1220aaaa\" } } }");
        assertEquals(EnumSet.of(ZigEra.ZIG_0_14_TO_0_15), accepted(shortHash), "observed: 0.13 wrong hash size");
        ZigManifest longHash = parse(".{" + MODERN + ", .dependencies = .{ .a = .{ .url = \"u\", .hash = \"" + "a".repeat(114) + "\" } } }");
        assertEquals(EnumSet.noneOf(ZigEra.class), accepted(longHash));
        ZigManifest minimal = parse(".{" + MODERN + ", .dependencies = .{ .a = .{ .url = \"u\", .hash = \"a-b-" + "$".repeat(44) + "\" } } }");
        assertTrue(minimal.acceptedBy(ZigEra.ZIG_0_16_AND_LATER), "observed: 0.16 does not decode the base64");
        ZigManifest pathAndHash = parse(".{" + MODERN + ", .dependencies = .{ .a = .{ .path = \"p\", .hash = \"" + newHash + "\" } } }");
        assertTrue(pathAndHash.acceptedBy(ZigEra.ZIG_0_16_AND_LATER), "observed: tolerated");
        assertTrue(parse(".{" + MODERN + ", .dependencies = .{} }").dependencies().isEmpty());

        assertTrue(failure(".{" + LEGACY + ", .dependencies = .{ .a = .{ .url = \"u\", .path = \"p\" } } }").reason()
                .contains("only one of"));
        assertTrue(failure(".{" + LEGACY + ", .dependencies = .{ .a = .{} } }").reason().contains("requires location"));
        failure(".{" + LEGACY + ", .dependencies = .{ .a = .{ .url = \"u\", .lazy = 1 } } }");
        failure(".{" + LEGACY + ", .dependencies = .{ .a = .{ .url = \"u\", .lazy = maybe } } }");
        failure(".{" + LEGACY + ", .dependencies = .{ .a = 1 } }");
        failure(".{" + LEGACY + ", .dependencies = .{ \"x\" } }");
    }

    @Test
    void unknownFieldsAreIgnoredEvenWhenTheirLiteralsAreBroken() throws Exception {
        // Observed: Zig 0.14-0.17 accept bad escapes and bad digits in fields they do not read.
        ZigManifest m = parse(".{" + MODERN + ", .x = \"\\q\", .y = 0b123, .z = \"\\u{D800}\", .w = undefined }");
        assertTrue(m.acceptedBy(ZigEra.ZIG_0_16_AND_LATER));
        // ...but a known field is read, and fails.
        assertTrue(failure(".{ .name = .foo, .version = \"0.1.\\q0\" }").reason().contains("invalid escape"));
    }

    @Test
    void typedInitializersAreReadAsTheirInitializer() throws Exception {
        // Observed (differential fuzzing against 0.13-0.17): Zig's loader is a full Zig parser and
        // ignores the type of T{ ... }, so these load. Strict ZON refuses them.
        ZigManifest m = parse(".{ .name = .foo, .version = \"0.1.0\", .fingerprint = 0x8c736521490b23df,"
                + " .paths = 0x{ \"\" }, .dependencies = .@\"a\"{ .d = .true{ .path = \"p\" } } }");
        assertEquals(List.of(""), m.paths());
        assertEquals("p", m.dependencies().get(0).path());
        assertThrows(ZonParseException.class, () -> ZonParser.parse("x{ 1 }".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(java.math.BigInteger.ONE),
                ZonParser.parseLenient("x{ 1 }".getBytes(StandardCharsets.UTF_8)).toJava());
    }

    @Test
    void hashLengthsAreCountedInBytes() throws Exception {
        // Observed on 0.16: one 'A' replaced by 'é' keeps 2 dashes before the last 44 bytes.
        String hash = "foo-0.1.0-" + "A".repeat(42) + "\u00e9";
        ZigManifest m = parse(".{" + MODERN + ", .dependencies = .{ .a = .{ .url = \"u\", .hash = \"" + hash + "\" } } }");
        assertTrue(m.acceptedBy(ZigEra.ZIG_0_16_AND_LATER), m.warnings().toString());
        String legacyWithUmlaut = "1220" + "a".repeat(62) + "\u00e9";
        ZigManifest l = parse(".{" + LEGACY + ", .dependencies = .{ .a = .{ .url = \"u\", .hash = \"" + legacyWithUmlaut + "\" } } }");
        assertTrue(l.acceptedBy(ZigEra.ZIG_0_12_TO_0_13), "68 bytes, although 67 chars");
    }

    @Test
    void aFloodOfDistinctProblemsIsRefused() throws Exception {
        StringBuilder sb = new StringBuilder(".{ .version = \"0.1.0\"");
        for (int i = 0; i < 1100; i++) {
            sb.append(", .name = \"n-").append(i).append('"');
        }
        // 1100 names give 1100 distinct "string .name" warnings.
        assertTrue(failure(sb.append(" }").toString()).reason().contains("problems"));
        // Repeating one bad field repeats no warning.
        ZigManifest m = parse(".{ .version = \"0.1.0\"" + ", .name = \"n-1\"".repeat(5000) + ", .paths = .{\"\"} }");
        assertEquals(4, m.warnings().size(), m.warnings().toString());
    }

    @Test
    void structuralErrorsThrow() {
        assertTrue(failure(".{ .version = \"0.1.0\" }").reason().contains("'name'"));
        assertTrue(failure(".{ .name = .foo }").reason().contains("'version'"));
        failure(".{ .name = 1, .version = \"0.1.0\" }");
        failure(".{ .name = \\\\foo\n, .version = \"0.1.0\" }");
        failure(".{ .name = .foo, .version = \\\\0.1.0\n }");
        failure(".{ \"a\", \"b\" }");
        failure("\"just a string\"");
        failure(".{ .name = .foo, .version = \"0.1.0\", .name = 1 }");
    }

    @Test
    void repeatedFieldsUseTheLastValueAndWarn() throws Exception {
        ZigManifest m = parse(".{" + MODERN + ", .name = .bar }");
        assertEquals("bar", m.name());
        assertFalse(m.acceptedBy(ZigEra.ZIG_0_14_TO_0_15), "observed: fingerprint no longer matches the name");
        assertTrue(m.warnings().stream().anyMatch(w -> w.message().contains("more than once")));
    }

    @Test
    void warningsNameTheirErasAndPosition() throws Exception {
        ZigManifest m = parse(".{\n  .name = \"foo\",\n  .version = \"0.1.0\",\n  .paths = .{\"\"},\n}");
        ZigManifest.Warning w = m.warnings().get(0);
        assertEquals(new ZonPosition(2, 11), w.position());
        assertTrue(w.toString().startsWith("2:11: string .name"), w.toString());
        assertTrue(w.toString().endsWith("(rejected by Zig 0.16+)"), w.toString());
    }
}
