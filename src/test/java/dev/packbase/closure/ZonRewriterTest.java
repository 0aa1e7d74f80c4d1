package dev.packbase.closure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.Json;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagEntry;
import dev.packbase.git.DerivedGit;
import dev.packbase.state.PackageState;
import dev.packbase.storage.MemoryStorage;
import dev.packbase.testing.ScriptedUpstream;
import dev.packbase.testing.StoredPackages;
import dev.packbase.testing.ZigPackages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dependencies found here by hash (either form) point at their tarball; the rest stay and are named. */
class ZonRewriterTest {
    @Test
    void mirroredHashesGetTheTarballUrlAndEverythingElseStays() throws Exception {
        var json = Json.newMapper();
        MemoryStorage storage = new MemoryStorage();
        PackageState state = new PackageState(storage, json);
        ScriptedUpstream upstream = new ScriptedUpstream("https://upstream.invalid/lib.git");
        upstream.tag("v1.0.0", upstream.commit(1_700_000_000L, Map.of("build.zig.zon",
                ZigPackages.manifest("lib", "1.0.0", false), "src/lib.zig", "pub const x = 1;\n")));
        PackageName name = new PackageName("lib");
        PackageRecord record = StoredPackages.write(state, new DerivedGit(storage, json), json, upstream, name, 1);
        TagEntry tag = record.tag("v1.0.0").orElseThrow();

        String zon = ".{\n    .name = .app,\n    .dependencies = .{\n"
                + "        .lib = .{ .url = \"git+https://upstream.invalid/lib.git#v1.0.0\", .hash = \"" + tag.zig().hash() + "\" }, // new form\n"
                + "        .old = .{ .url = \"https://upstream.invalid/lib.tar.gz\", .hash = \"" + tag.zig().legacyHash() + "\" },\n"
                + "        .gone = .{ .url = \"https://elsewhere.invalid/x.tar.gz\", .hash = \"1220" + "0".repeat(64) + "\" },\n"
                + "        .unhashed = .{ .url = \"https://elsewhere.invalid/y.tar.gz\" },\n"
                + "    },\n}\n";
        ZonRewriter.Rewritten r = new ZonRewriter(new dev.packbase.state.ZigHashes(state, new dev.packbase.state.ArchiveState(storage, json))).rewrite(zon.getBytes(StandardCharsets.UTF_8), p -> "http://pb" + p);

        String expected = zon.replace("\"git+https://upstream.invalid/lib.git#v1.0.0\"", "\"http://pb/p/lib/tag/v1.0.0.tar.gz\"")
                .replace("\"https://upstream.invalid/lib.tar.gz\"", "\"http://pb/p/lib/tag/v1.0.0.tar.gz\"");
        assertEquals(expected, new String(r.zon(), StandardCharsets.UTF_8));
        assertEquals(List.of("lib", "old"), r.moved().stream().map(ZonRewriter.Moved::dependency).toList());
        assertEquals(List.of("gone", "unhashed"), r.left().stream().map(ZonRewriter.Left::dependency).toList());
        assertTrue(r.left().get(0).reason().contains("no tarball here has the hash"), r.left().toString());
        assertTrue(r.left().get(1).reason().contains("no .hash"), r.left().toString());

        PackbaseException bad = assertThrows(PackbaseException.class,
                () -> new ZonRewriter(new dev.packbase.state.ZigHashes(state, new dev.packbase.state.ArchiveState(storage, json))).rewrite(".{ .dependencies = ".getBytes(StandardCharsets.UTF_8), p -> p));
        assertTrue(bad.getMessage().contains("does not parse"), bad.getMessage());
    }
}
