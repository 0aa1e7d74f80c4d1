package dev.packbase.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.config.Config;
import dev.packbase.config.ConfigLoader;
import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.SourceCatalog;
import dev.packbase.git.DerivedGit;
import dev.packbase.git.GitService;
import dev.packbase.storage.FileStorage;
import dev.packbase.state.PackageInfos;
import dev.packbase.state.PackageState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.eclipse.jgit.lib.TagBuilder;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * Generates a large packbase root for bench/scale.sh: N packages × T tags, each package a small but
 * valid Zig package (enum name, fingerprint, paths) with a linear history and a mix of annotated and
 * lightweight tags, built in memory and ingested through the product's own ingest pipeline ({@link IngestPipeline}) (tarballs,
 * manifests, records, derived Git packs and the Git self-check, all written by the code a real fetch
 * runs). It then writes the state an update run leaves behind: the synced source catalog (every
 * package registered, under the URL its record is bound to) and one info snapshot of every package.
 * Each package is ingested with its own empty {@link PackageState}, so the generator's memory does not grow
 * with N, and the snapshot is written once at the end with {@link PackageInfos#compute}, as
 * {@code POST /api/update} computes it.
 *
 * <p>Usage: {@code ScaleRoot <root> <catalog.json> <packages> <tags> <threads> <seed>}. Not a test.
 */
public final class ScaleRoot {
    private static final String HOST = "https://git.example.invalid/scale/";

    private ScaleRoot() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: ScaleRoot <root> <catalog.json> <packages> <tags> <threads> <seed>");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        Path catalogFile = Path.of(args[1]);
        int packages = Integer.parseInt(args[2]);
        int tags = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        // One INFO line per ingested package would be most of the output.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);

        Config config = new ConfigLoader(Map.of(), new Properties(),
                Map.of("packbase.root", root.toString(), "packbase.seed", "false")::get, release()).load().config();
        ObjectMapper json = Json.newMapper();
        FileStorage storage = FileStorage.open(root);
        Clock clock = Clock.systemUTC();

        List<SourceCatalog.Entry> entries = new ArrayList<>();
        for (int i = 0; i < packages; i++) {
            String name = name(i);
            entries.add(new SourceCatalog.Entry(name, HOST + name));
        }
        SourceCatalog catalog = new SourceCatalog(entries);

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger done = new AtomicInteger();
        long started = System.nanoTime();
        List<Future<PackageInfo>> futures = new ArrayList<>();
        for (int i = 0; i < packages; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                PackageInfo info = generate(config, storage, json, clock, index, tags, seed);
                int n = done.incrementAndGet();
                if (n % 500 == 0 || n == packages) {
                    System.err.printf("scale-root: %d/%d packages (%.0f s)%n", n, packages,
                            (System.nanoTime() - started) / 1e9);
                }
                return info;
            }));
        }
        List<PackageInfo> infos = new ArrayList<>();
        try {
            for (Future<PackageInfo> f : futures) {
                infos.add(f.get());
            }
        } finally {
            // Also on a failure: the pool's threads would otherwise keep the JVM, and bench/scale.sh, waiting.
            pool.shutdownNow();
        }
        pool.awaitTermination(1, TimeUnit.MINUTES);

        // What the first update run with this catalog leaves behind: the catalog synced (previous empty)
        // and one snapshot of every package.
        PackageState registry = new PackageState(storage, json);
        registry.saveCatalog(catalog, SourceCatalog.empty());
        registry.replaceInfos(infos);
        json.writeValue(catalogFile.toFile(), catalog);
        long unhealthy = infos.stream().filter(i -> !i.healthy()).count();
        System.err.printf("scale-root: %d packages x %d tags in %.1f s, %d unhealthy%n", packages, tags,
                (System.nanoTime() - started) / 1e9, unhealthy);
        if (unhealthy > 0) {
            System.exit(1);
        }
    }

    static String name(int i) {
        return String.format("pkg_%05d", i);
    }

    /** Ingests one package through the real pipeline and returns its snapshot as an update writes it. */
    private static PackageInfo generate(Config config, FileStorage storage, ObjectMapper json, Clock clock, int index,
            int tags, long seed) throws IOException {
        PackageState registry = new PackageState(storage, json);
        DerivedGit derived = new DerivedGit(storage, json);
        GitService git = new GitService(registry, derived);
        ScratchArea scratch = new ScratchArea(storage.root().resolve(dev.packbase.storage.StorageKeys.TMP_DIR));
        Ingest ingest = Ingest.wire(config, storage, scratch, registry, derived, git, json, clock,
                new dev.packbase.WorkPool(1), dev.packbase.metrics.Metrics.OFF);
        PackageName name = new PackageName(name(index));
        ingest.fetches().ingest(name, new TagSource(new GeneratedUpstream(name.value(), tags, seed * 1_000_003L + index)));
        PackageRecord record = registry.find(name).orElseThrow();
        PackageInfo own = registry.info(name.value()).orElseThrow();
        GitStatus status = new GitStatus(own.smartHttpReady(), own.pseudoGitFetchable(), own.gitProblems());
        return PackageInfos.compute(record, storage, true, status, own.generatedAt());
    }

    private static String release() {
        Properties p = new Properties();
        try (InputStream in = ScaleRoot.class.getResourceAsStream("/packbase-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("release", "unknown");
    }

    /**
     * One generated upstream repository in memory: a linear history of {@code tags} commits
     * (v0.1.0, v0.2.0, …), every other tag annotated, five files per tree.
     */
    static final class GeneratedUpstream implements Upstream {
        private final String name;
        private final InMemoryRepository repository;
        private final List<UpstreamTag> tags = new ArrayList<>();

        GeneratedUpstream(String name, int count, long seed) throws IOException {
            this.name = name;
            this.repository = new InMemoryRepository(new DfsRepositoryDescription(name));
            Random random = new Random(seed);
            long fingerprint = (crc32(name) << 32) | (random.nextInt() & 0xffffffffL);
            Instant time = Instant.parse("2024-01-01T00:00:00Z").plusSeconds(random.nextInt(86_400 * 200));
            String license = "MIT License\n\nCopyright (c) 2024 " + name + " authors\n" + words(random, 120);
            ObjectId parent = null;
            try (ObjectInserter ins = repository.newObjectInserter()) {
                for (int t = 0; t < count; t++) {
                    String version = "0." + (t + 1) + ".0";
                    String tag = "v" + version;
                    ObjectId src = SeedUpstream.tree(ins, Map.of(
                            "root.zig", SeedUpstream.blob(ins, "//! " + name + " " + version + "\n" + zigSource(random, t)),
                            "util.zig", SeedUpstream.blob(ins, "pub const version = \"" + version + "\";\n" + zigSource(random, t))));
                    Map<String, ObjectId> files = new TreeMap<>();
                    files.put("LICENSE", SeedUpstream.blob(ins, license));
                    files.put("README.md", SeedUpstream.blob(ins, "# " + name + "\n\n" + words(random, 40 + t)));
                    files.put("build.zig", SeedUpstream.blob(ins, buildZig(name)));
                    files.put("build.zig.zon", SeedUpstream.blob(ins, zon(name, version, fingerprint)));
                    TreeFormatter top = new TreeFormatter();
                    files.forEach((file, id) -> top.append(file, FileMode.REGULAR_FILE, id));
                    top.append("src", FileMode.TREE, src); // "src" sorts last in Git order
                    ObjectId tree = ins.insert(top);
                    PersonIdent who = new PersonIdent("Scale Author", "author@example.invalid",
                            time.plusSeconds(t * 86_400L), ZoneOffset.UTC);
                    CommitBuilder c = new CommitBuilder();
                    c.setTreeId(tree);
                    if (parent != null) {
                        c.setParentId(parent);
                    }
                    c.setAuthor(who);
                    c.setCommitter(who);
                    c.setMessage(name + " " + version + "\n");
                    ObjectId commit = ins.insert(c);
                    ObjectId target = commit;
                    if (t % 2 == 1) {
                        TagBuilder annotated = new TagBuilder();
                        annotated.setObjectId(commit, Constants.OBJ_COMMIT);
                        annotated.setTag(tag);
                        annotated.setTagger(who);
                        annotated.setMessage("release " + version + "\n");
                        target = ins.insert(annotated);
                    }
                    ins.flush();
                    var update = repository.updateRef(Constants.R_TAGS + tag);
                    update.setNewObjectId(target);
                    update.update();
                    tags.add(new UpstreamTag(tag, target, target.equals(commit) ? null : commit));
                    parent = commit;
                }
            }
        }

        @Override
        public String url() {
            return HOST + name;
        }

        @Override
        public List<UpstreamTag> listTags() {
            return tags;
        }

        @Override
        public Repository fetch(List<UpstreamTag> wanted, Path scratch) {
            return repository;
        }

        private static String buildZig(String name) {
            return "const std = @import(\"std\");\n\npub fn build(b: *std.Build) void {\n"
                    + "    _ = b.addModule(\"" + name + "\", .{ .root_source_file = b.path(\"src/root.zig\") });\n}\n";
        }

        private static String zon(String name, String version, long fingerprint) {
            return ".{\n    .name = ." + name + ",\n    .version = \"" + version + "\",\n"
                    + "    .fingerprint = 0x" + Long.toHexString(fingerprint) + ",\n"
                    + "    .minimum_zig_version = \"0.14.0\",\n    .dependencies = .{},\n"
                    + "    .paths = .{ \"build.zig\", \"build.zig.zon\", \"src\", \"LICENSE\", \"README.md\" },\n}\n";
        }

        private static String zigSource(Random random, int t) {
            StringBuilder s = new StringBuilder("const std = @import(\"std\");\n\n");
            int functions = 3 + random.nextInt(6) + t / 3;
            for (int f = 0; f < functions; f++) {
                s.append("pub fn f").append(f).append("(x: u32) u32 {\n    return x *% ")
                        .append(random.nextInt(1000) + 1).append(" +% ").append(random.nextInt(100_000)).append(";\n}\n\n");
            }
            return s.toString();
        }

        private static final String[] WORDS = {"zig", "package", "registry", "tarball", "build", "module", "fast",
            "small", "safe", "allocator", "comptime", "slice", "error", "union", "struct", "test", "release"};

        private static String words(Random random, int n) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.append(WORDS[random.nextInt(WORDS.length)]).append(i % 12 == 11 ? ".\n" : " ");
            }
            return s.append('\n').toString();
        }

        private static long crc32(String s) {
            CRC32 crc = new CRC32();
            crc.update(s.getBytes(StandardCharsets.UTF_8));
            return crc.getValue();
        }
    }
}
