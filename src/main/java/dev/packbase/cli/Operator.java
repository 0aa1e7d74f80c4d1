package dev.packbase.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.Packbase;
import dev.packbase.audit.AuditAction;
import dev.packbase.audit.AuditEntry;
import dev.packbase.audit.AuditTrail;
import dev.packbase.config.Config;
import dev.packbase.config.ConfigLoader;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.SourceCatalog;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.TagManifest;
import dev.packbase.ingest.Digests;
import dev.packbase.storage.Backend;
import dev.packbase.storage.Storage;
import dev.packbase.state.PackageInfos;
import dev.packbase.state.PackageState;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The operator commands of {@code java -jar packbase.war <command>}, run without a server on the
 * root the usual settings name: {@code verify} re-hashes every tarball against its manifest and
 * changes nothing; {@code reindex} rebuilds package records, derived Git data and the info snapshot
 * from the tarballs and manifests alone. Both print one progress line per package. {@code export} and
 * {@code import} carry versions and closures between roots ({@link Transfer}); {@code migrate} copies a whole
 * registry between stores, directory or bucket ({@link Migrate}).
 */
public final class Operator {
    private final PrintStream out;

    private Operator(PrintStream out) {
        this.out = out;
    }

    /** Entry point called by the launcher; returns the process exit code. */
    public static int run(String[] args) throws IOException {
        if (args[0].equals("migrate")) {
            return new Migrate(System.out).run(System.getenv(), System.getProperties(), releaseOf(Operator.class),
                    java.util.Arrays.asList(args).subList(1, args.length));
        }
        Config config = new ConfigLoader(System.getenv(), System.getProperties(), name -> null,
                releaseOf(Operator.class)).load().config();
        Operator operator = new Operator(System.out);
        return switch (args[0]) {
            case "verify" -> operator.verify(config);
            case "reindex" -> operator.reindex(config);
            case "export" -> new Transfer(System.err).export(config, java.util.Arrays.asList(args).subList(1, args.length));
            case "import" -> new Transfer(System.err).importFile(config, java.util.Arrays.asList(args).subList(1, args.length));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        };
    }

    private static String releaseOf(Class<?> type) {
        Properties p = new Properties();
        try (InputStream in = type.getResourceAsStream("/packbase-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // unknown release
        }
        return p.getProperty("release", "unknown");
    }

    /** Re-hashes every tarball; opens the root read-only, so it cannot change anything. */
    int verify(Config config) throws IOException {
        try (Backend backend = Backend.open(config, true)) {
            return verify(config, backend.storage());
        }
    }

    private int verify(Config config, Storage storage) throws IOException {
        ObjectMapper json = Json.newMapper();
        // The command's composition: the root opened read-only; the checks below see only Storage.
        PackageState registry = new PackageState(storage, json);
        registry.load();
        List<String> names = registry.localNames();
        int checked = 0;
        int bad = 0;
        out.println("verify: " + names.size() + " package(s) under " + storage.describe());
        for (int i = 0; i < names.size(); i++) {
            PackageName pkg = new PackageName(names.get(i));
            PackageRecord record = registry.find(pkg).orElseThrow();
            List<String> problems = new ArrayList<>();
            for (RefKind kind : RefKind.values()) {
                for (TagEntry tag : record.entries(kind)) {
                    checked++;
                    verify(storage, registry, pkg, kind, tag, problems);
                }
            }
            bad += problems.size();
            out.println("[" + (i + 1) + "/" + names.size() + "] " + pkg + ": "
                    + (record.tags().size() + record.commits().size()) + " tarball(s) "
                    + (problems.isEmpty() ? "ok" : "FAILED"));
            problems.forEach(p -> out.println("    " + p));
        }
        out.println("verify: " + checked + " tarball(s) checked, " + bad + " problem(s)");
        return bad == 0 ? 0 : 1;
    }

    /** Checks one tag's or pinned commit's tarball against its manifest, adding what is wrong to {@code problems}. */
    private static void verify(Storage storage, PackageState registry, PackageName pkg, RefKind kind, TagEntry tag,
            List<String> problems) throws IOException {
        String what = (kind == RefKind.COMMIT ? "commit " : "") + tag.tag();
        Optional<TagManifest> manifest = registry.manifest(pkg, kind, tag.tag());
        if (manifest.isEmpty()) {
            problems.add(what + ": manifest missing");
            return;
        }
        String key = StorageKeys.tarball(pkg, kind, tag.tag());
        if (storage.stat(key).isEmpty()) {
            problems.add(what + ": tarball missing");
            return;
        }
        try {
            Digests d = Digests.of(storage, key);
            TagManifest m = manifest.get();
            if (d.size() != m.tarball().sizeBytes() || !d.sha256().equals(m.tarball().sha256())
                    || !d.md5().equals(m.tarball().md5()) || !d.crc32().equals(m.tarball().crc32())
                    || !d.tarSha256().equals(m.tarSha256())) {
                problems.add(what + ": tarball does not match its manifest (sha256 " + d.sha256() + ", manifest "
                        + m.tarball().sha256() + ")");
            }
        } catch (IOException e) {
            problems.add(what + ": unreadable tarball: " + e.getMessage());
        }
    }

    /** Rebuilds records, derived Git data and the snapshot from the tarballs and manifests. */
    int reindex(Config config) throws IOException {
        // Never seed here: reindex rebuilds what the root holds, nothing else.
        Config noSeed = config.withSeed(false);
        // Opened, not started: the derived-data check must not run while reindex deletes and rebuilds that data.
        Packbase packbase = Packbase.build(noSeed, Clock.systemUTC()).open();
        Storage storage = packbase.storage();
        PackageState registry = packbase.registry();
        ObjectMapper json = packbase.json();
        Map<String, List<TagManifest>> manifests = new TreeMap<>();
        Map<String, List<TagManifest>> commitManifests = new TreeMap<>();
        for (String key : storage.list("p/")) {
            String[] parts = key.split("/");
            RefKind kind = parts.length != 4 ? null : parts[2].equals(RefKind.TAG.segment()) ? RefKind.TAG
                    : parts[2].equals(RefKind.COMMIT.segment()) ? RefKind.COMMIT : null;
            if (kind == null || !key.endsWith(".json")) {
                continue;
            }
            try (InputStream in = storage.open(key)) {
                TagManifest m = json.readValue(in, TagManifest.class);
                String tarball = StorageKeys.tarball(new PackageName(parts[1]), kind, m.tag());
                if (storage.stat(tarball).map(i -> i.size() == m.tarball().sizeBytes()).orElse(false)) {
                    manifests.computeIfAbsent(parts[1], k -> new ArrayList<>());
                    (kind == RefKind.TAG ? manifests : commitManifests).computeIfAbsent(parts[1], k -> new ArrayList<>())
                            .add(m);
                } else {
                    out.println("reindex: skipping " + key + ": its tarball is missing or has another size");
                }
            } catch (IOException e) {
                out.println("reindex: skipping unreadable manifest " + key + ": " + e.getMessage());
            }
        }
        long now = Clock.systemUTC().instant().getEpochSecond();
        List<PackageInfo> infos = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, List<TagManifest>> e : manifests.entrySet()) {
            i++;
            PackageName pkg = new PackageName(e.getKey());
            List<TagManifest> tags = e.getValue();
            List<TagManifest> commits = commitManifests.getOrDefault(e.getKey(), List.of());
            Optional<PackageRecord> old = registry.find(pkg);
            String upstream = old.map(PackageRecord::upstreamUrl).orElse(java.util.stream.Stream.concat(tags.stream(),
                    commits.stream()).max(Comparator.comparingLong(TagManifest::createdAt)).orElseThrow().upstreamUrl());
            PackageRecord record = new PackageRecord(PackageRecord.FORMAT, pkg.value(), upstream,
                    old.map(PackageRecord::createdAt).orElse(now), old.map(PackageRecord::checkedAt).orElse(0L),
                    entries(tags), old.map(PackageRecord::warnings).orElse(List.of()), List.of(), entries(commits));
            registry.save(record);
            storage.deleteAll(StorageKeys.gitDir(pkg));
            PackageInfo info = packbase.refresher().info(pkg, record, true, now);
            infos.add(info);
            out.println("[" + i + "/" + manifests.size() + "] " + pkg + ": " + record.tags().size() + " tag(s), "
                    + (record.commits().isEmpty() ? "" : record.commits().size() + " commit(s), ") + "Git "
                    + (info.pseudoGitFetchable() ? "ok" : "FAILED " + info.gitProblems()) + (info.healthy() ? "" : ", unhealthy"));
        }
        SourceCatalog catalog = registry.catalog();
        for (SourceCatalog.Entry entry : catalog.packages()) {
            if (!manifests.containsKey(entry.name())) {
                infos.add(PackageInfos.registeredOnly(entry.name(), entry.url(), List.of("not materialised yet"), now));
            }
        }
        registry.replaceInfos(infos);
        packbase.audit().begin(AuditAction.REINDEX, AuditTrail.Who.command(System.getProperty("user.name")))
                .succeeded(AuditEntry.Changed.packages(List.copyOf(manifests.keySet())));
        packbase.close();
        long unhealthy = infos.stream().filter(x -> !x.healthy() && x.local()).count();
        out.println("reindex: " + manifests.size() + " package(s) rebuilt, " + unhealthy + " unhealthy");
        return unhealthy == 0 ? 0 : 1;
    }

    /** The entries of some manifests, in name order. */
    private static List<TagEntry> entries(List<TagManifest> manifests) {
        return manifests.stream().sorted(Comparator.comparing(TagManifest::tag)).map(TagManifest::toEntry).toList();
    }
}
