package dev.packbase.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * The built-in {@code hello} package (CONTRACT §5), as a tiny Git repository built in memory so that
 * it goes through exactly the ingest path of any other package. Its content, author and time are
 * fixed, so its tarball, hashes and commit ids are the same on every instance.
 */
public final class SeedUpstream implements Upstream {
    public static final String NAME = "hello";
    public static final String TAG = "v0.1.0";
    public static final String URL = "packbase:seed/hello";

    /** Upper 32 bits: CRC-32 of the name, as Zig >= 0.14 checks; lower 32 bits: a fixed id. */
    static final long FINGERPRINT = (crc32(NAME) << 32) | 0x7061636bL;

    private static final Instant TIME = Instant.parse("2025-01-01T00:00:00Z");

    private final InMemoryRepository repository = new InMemoryRepository(new DfsRepositoryDescription(NAME));
    private final ObjectId commit;

    public SeedUpstream() {
        try (ObjectInserter ins = repository.newObjectInserter()) {
            ObjectId src = tree(ins, Map.of("root.zig", blob(ins, ROOT_ZIG)));
            TreeFormatter root = new TreeFormatter();
            Map<String, ObjectId> files = new TreeMap<>();
            files.put("build.zig", blob(ins, BUILD_ZIG));
            files.put("build.zig.zon", blob(ins, buildZigZon()));
            files.put("README.md", blob(ins, README));
            // "src" sorts after all of these in Git order, so appending it last keeps the tree canonical.
            files.forEach((name, id) -> root.append(name, FileMode.REGULAR_FILE, id));
            root.append("src", FileMode.TREE, src);
            ObjectId tree = ins.insert(root);
            PersonIdent who = new PersonIdent("packbase", "seed@packbase.invalid", TIME, ZoneOffset.UTC);
            CommitBuilder c = new CommitBuilder();
            c.setTreeId(tree);
            c.setAuthor(who);
            c.setCommitter(who);
            c.setMessage("hello " + TAG + ": the packbase seed package\n");
            commit = ins.insert(c);
            ins.flush();
            var update = repository.updateRef(Constants.R_TAGS + TAG);
            update.setNewObjectId(commit);
            update.update();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String url() {
        return URL;
    }

    @Override
    public List<UpstreamTag> listTags() {
        return List.of(new UpstreamTag(TAG, commit, null));
    }

    @Override
    public Repository fetch(List<UpstreamTag> tags, Path scratch) {
        return repository;
    }

    /** Also used by the scale benchmark's generator (ScaleRoot), which builds upstreams the same way. */
    static ObjectId blob(ObjectInserter ins, String text) throws IOException {
        return ins.insert(Constants.OBJ_BLOB, text.getBytes(StandardCharsets.UTF_8));
    }

    static ObjectId tree(ObjectInserter ins, Map<String, ObjectId> files) throws IOException {
        TreeFormatter f = new TreeFormatter();
        new TreeMap<>(files).forEach((name, id) -> f.append(name, FileMode.REGULAR_FILE, id));
        return ins.insert(f);
    }

    private static long crc32(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    static String buildZigZon() {
        return """
                .{
                    .name = .hello,
                    .version = "0.1.0",
                    .fingerprint = 0x%016x,
                    .minimum_zig_version = "0.14.0",
                    .dependencies = .{},
                    .paths = .{
                        "build.zig",
                        "build.zig.zon",
                        "src",
                        "README.md",
                    },
                }
                """.formatted(FINGERPRINT);
    }

    private static final String BUILD_ZIG = """
            const std = @import("std");

            pub fn build(b: *std.Build) void {
                _ = b.addModule("hello", .{
                    .root_source_file = b.path("src/root.zig"),
                });
            }
            """;

    private static final String ROOT_ZIG = """
            //! The packbase seed package: proof that a fresh registry serves a real Zig package.
            const std = @import("std");

            pub fn greeting() []const u8 {
                return "hello from packbase";
            }

            test greeting {
                try std.testing.expectEqualStrings("hello from packbase", greeting());
            }
            """;

    private static final String README = """
            # hello

            The seed package of a packbase registry. Depend on it with:

                zig fetch --save <packbase>/p/hello/tag/v0.1.0.tar.gz

            and use it as `@import("hello").greeting()`.
            """;
}
