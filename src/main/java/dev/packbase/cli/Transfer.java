package dev.packbase.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.ErrorCode;
import dev.packbase.Packbase;
import dev.packbase.audit.AuditAction;
import dev.packbase.audit.AuditEntry;
import dev.packbase.audit.AuditTrail;
import dev.packbase.config.Config;
import dev.packbase.domain.ArchiveManifest;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.TagManifest;
import dev.packbase.domain.ZigInfo;
import dev.packbase.ingest.Digests;
import dev.packbase.state.ArchiveState;
import dev.packbase.state.PackageState;
import dev.packbase.storage.Backend;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.zig.ZigPackageHash;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code export} and {@code import}: carries versions (and their closures) between roots as one tar
 * file, for air-gapped sites. The file holds, per version, its manifest and then its tarball under the
 * same paths as in a root, the stored closures of the roots asked for, and {@code packbase-export.json}
 * naming every package's upstream. Import reads it twice: first it verifies everything (each tarball
 * against its manifest's digests and Zig hash, every package against what the target holds) and
 * refuses the file on any mismatch, writing nothing; then it writes with the root's usual discipline
 * (create-if-absent, records last) and rebuilds derived Git data and info.
 */
final class Transfer {
    static final String INDEX = "packbase-export.json";

    /** One version in the file. */
    record Version(String pkg, RefKind kind, String name) {
        String what() {
            return pkg + (kind == RefKind.TAG ? "@" : "#") + name;
        }
    }

    /** The file's index: each package's upstream, and the versions in it. */
    record Index(int format, Map<String, String> upstreams, List<Version> versions) {
    }

    private final PrintStream err;

    Transfer(PrintStream err) {
        this.err = err;
    }

    /** {@code export <pkg>[@<tag>|#<commit>]… [--closure] -o <file>}. */
    int export(Config config, List<String> args) throws IOException {
        try (Backend backend = Backend.open(config, true)) {
            return export(config, backend.storage(), args);
        }
    }

    private int export(Config config, Storage storage, List<String> args) throws IOException {
        List<String> specs = new ArrayList<>();
        boolean closure = false;
        Path output = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--closure" -> closure = true;
                case "-o" -> output = i + 1 < args.size() ? Path.of(args.get(++i)) : null;
                default -> specs.add(args.get(i));
            }
        }
        if (specs.isEmpty() || output == null) {
            err.println("usage: export <pkg>[@<tag>|#<commit>]... [--closure] -o <file.tar>");
            return 2;
        }
        ObjectMapper json = Json.newMapper();
        PackageState state = new PackageState(storage, json);
        state.load();
        ArchiveState archiveState = new ArchiveState(storage, json);
        Set<Version> versions = new LinkedHashSet<>();
        Set<String> archives = new LinkedHashSet<>();
        List<String> closures = new ArrayList<>();
        for (String spec : specs) {
            List<Version> roots = resolve(state, spec);
            if (roots.isEmpty()) {
                err.println("export: nothing here matches " + spec);
                return 1;
            }
            versions.addAll(roots);
            if (!closure) {
                continue;
            }
            for (Version root : roots) {
                String key = StorageKeys.closure(new PackageName(root.pkg()), root.kind(), root.name());
                if (storage.stat(key).isEmpty()) {
                    if (!hasUrlDependencies(state, root)) {
                        continue; // its closure is itself
                    }
                    err.println("export: no closure is stored for " + root.what() + ": mirror it with POST /api/closure first");
                    return 1;
                }
                closures.add(key);
                try (InputStream in = storage.open(key)) {
                    for (var node : json.readTree(in).path("nodes")) {
                        if (!"ok".equals(node.path("status").asText())) {
                            err.println("export: the closure of " + root.what() + " is not complete ("
                                    + node.path("url").asText() + ": " + node.path("status").asText() + ")");
                            return 1;
                        }
                        String hash = node.path("computed_hash").asText();
                        Optional<PackageState.TagRef> ref = state.findByZigHash(hash);
                        if (ref.isPresent()) {
                            versions.add(new Version(ref.get().packageName(), ref.get().kind(), ref.get().tag()));
                        } else if (!node.path("computed_hash").isNull()) {
                            Optional<ArchiveManifest> archive = archiveState.byHash(hash);
                            if (archive.isEmpty()) {
                                err.println("export: nothing here has the hash " + hash + " of " + node.path("url").asText());
                                return 1;
                            }
                            archives.add(archive.get().zig().legacyHash());
                        }
                    }
                }
            }
        }
        Map<String, String> upstreams = new TreeMap<>();
        for (Version v : versions) {
            upstreams.put(v.pkg(), state.find(new PackageName(v.pkg())).orElseThrow().upstreamUrl());
        }
        try (OutputStream file = Files.newOutputStream(output);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            put(tar, INDEX, json.writeValueAsBytes(new Index(1, upstreams, List.copyOf(versions))));
            int i = 0;
            for (Version v : versions) {
                PackageName pkg = new PackageName(v.pkg());
                err.println("[" + ++i + "/" + versions.size() + "] " + v.what());
                putFile(tar, storage, StorageKeys.manifest(pkg, v.kind(), v.name()));
                putFile(tar, storage, StorageKeys.tarball(pkg, v.kind(), v.name()));
            }
            for (String legacy : archives) {
                err.println("[archive] " + legacy);
                putFile(tar, storage, StorageKeys.archiveManifest(legacy));
                putFile(tar, storage, StorageKeys.archiveTarball(legacy));
            }
            for (String key : closures) {
                putFile(tar, storage, key);
            }
        }
        err.println("export: " + versions.size() + " version(s) of " + upstreams.size() + " package(s), "
                + archives.size() + " archive package(s), " + closures.size() + " closure(s) to " + output);
        return 0;
    }

    private static boolean hasUrlDependencies(PackageState state, Version v) throws IOException {
        return state.find(new PackageName(v.pkg())).flatMap(r -> r.entry(v.kind(), v.name()))
                .map(t -> t.zig() != null && t.zig().dependencies().stream().anyMatch(d -> d.url() != null)).orElse(false);
    }

    /** {@code pkg} (every tag and commit), {@code pkg@tag} or {@code pkg#commit}. */
    private static List<Version> resolve(PackageState state, String spec) throws IOException {
        int at = spec.indexOf('@');
        int hash = spec.indexOf('#');
        int cut = at >= 0 ? at : hash;
        String name = cut >= 0 ? spec.substring(0, cut) : spec;
        if (!PackageName.isValid(name)) {
            return List.of();
        }
        Optional<PackageRecord> record = state.find(new PackageName(name));
        if (record.isEmpty()) {
            return List.of();
        }
        List<Version> out = new ArrayList<>();
        for (RefKind kind : RefKind.values()) {
            for (TagEntry e : record.get().entries(kind)) {
                boolean wanted = cut < 0 || (kind == RefKind.TAG) == (at >= 0) && e.tag().equals(spec.substring(cut + 1));
                if (wanted) {
                    out.add(new Version(name, kind, e.tag()));
                }
            }
        }
        return out;
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static void putFile(TarArchiveOutputStream tar, Storage storage, String key) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(key);
        e.setSize(storage.stat(key).orElseThrow(() -> new IOException(key + " is missing")).size());
        tar.putArchiveEntry(e);
        try (InputStream in = storage.open(key)) {
            in.transferTo(tar);
        }
        tar.closeArchiveEntry();
    }

    /** {@code import <file>}: verify everything, then write. */
    int importFile(Config config, List<String> args) throws IOException {
        if (args.size() != 1) {
            err.println("usage: import <file.tar>");
            return 2;
        }
        Path file = Path.of(args.get(0));
        ObjectMapper json = Json.newMapper();
        Packbase packbase = Packbase.build(config.withSeed(false), Clock.systemUTC()).open();
        AuditTrail.Call call = packbase.audit().begin(AuditAction.IMPORT,
                AuditTrail.Who.command(System.getProperty("user.name"))).asked(AuditEntry.Asked.file(file.toString()));
        try {
            Storage storage = packbase.storage();
            PackageState state = packbase.registry();
            List<String> problems = new ArrayList<>();
            Checked checked = check(file, json, storage, state, problems);
            if (!problems.isEmpty()) {
                problems.forEach(p -> err.println("import: " + p));
                err.println("import: refused, nothing imported (" + problems.size() + " problem(s))");
                call.failed(ErrorCode.BAD_REQUEST.code(), "refused, nothing imported: " + problems.size()
                        + " problem(s), the first: " + problems.get(0));
                return 1;
            }
            write(file, storage);
            for (ArchiveManifest archive : checked.archives()) {
                // Tarball and manifest are written; this adds the hash and URL pointers that find them.
                packbase.archives().store(archive, out -> {
                    throw new IOException("the tarball of " + archive.url() + " was not written");
                });
            }
            long now = Clock.systemUTC().instant().getEpochSecond();
            int i = 0;
            for (Map.Entry<String, List<Imported>> e : checked.manifests().entrySet()) {
                PackageName pkg = new PackageName(e.getKey());
                PackageRecord record = merge(state.find(pkg), pkg, checked.index().upstreams().get(e.getKey()),
                        e.getValue(), now);
                state.save(record);
                var info = packbase.refresher().info(pkg, record, true, now);
                state.saveInfos(List.of(info));
                err.println("[" + ++i + "/" + checked.manifests().size() + "] " + pkg + ": " + record.tags().size()
                        + " tag(s), " + record.commits().size() + " commit(s), " + (info.healthy() ? "healthy" : "UNHEALTHY "
                        + info.problems()));
            }
            err.println("import: " + checked.index().versions().size() + " version(s) of " + checked.manifests().size()
                    + " package(s) and " + checked.archives().size() + " archive package(s) verified and imported");
            call.succeeded(AuditEntry.Changed.packages(List.copyOf(checked.manifests().keySet())));
            return 0;
        } catch (IOException | RuntimeException e) {
            call.failed(ErrorCode.INTERNAL_ERROR.code(), e.getClass().getSimpleName() + ": " + e.getMessage());
            throw e;
        } finally {
            packbase.close();
        }
    }

    private record Checked(Index index, Map<String, List<Imported>> manifests, List<ArchiveManifest> archives) {
    }

    /** What a tarball must be: from a version's manifest or an archive package's. */
    private record Expected(long size, String sha256, String tarSha256, ZigInfo zig) {
        static Expected of(TagManifest m) {
            return new Expected(m.tarball().sizeBytes(), m.tarball().sha256(), m.tarSha256(), m.zig());
        }

        static Expected of(ArchiveManifest m) {
            return new Expected(m.tarball().sizeBytes(), m.tarball().sha256(), m.tarSha256(), m.zig());
        }
    }

    /** A version of the file with its manifest. */
    private record Imported(Version version, TagManifest manifest) {
    }

    /** Pass one: every manifest and tarball read and verified; nothing written. */
    private Checked check(Path file, ObjectMapper json, Storage storage, PackageState state, List<String> problems)
            throws IOException {
        Index index = null;
        Map<String, TagManifest> manifests = new LinkedHashMap<>();
        Map<String, ArchiveManifest> archiveManifests = new LinkedHashMap<>();
        List<ArchiveManifest> archives = new ArrayList<>();
        Set<String> tarballs = new LinkedHashSet<>();
        try (TarArchiveInputStream tar = open(file)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                try {
                    StorageKeys.checked(name);
                } catch (IllegalArgumentException bad) {
                    problems.add("'" + name + "': not a plain relative path");
                    continue;
                }
                byte[] small = name.endsWith(".tar.gz") ? null : tar.readNBytes(1 << 24);
                if (name.equals(INDEX)) {
                    index = json.readValue(small, Index.class);
                } else if (name.startsWith("p/") && name.endsWith(".json")) {
                    manifests.put(name, json.readValue(small, TagManifest.class));
                } else if (name.startsWith("p/") && name.endsWith(".tar.gz")) {
                    TagManifest m = manifests.get(name.substring(0, name.length() - ".tar.gz".length()) + ".json");
                    if (m == null) {
                        problems.add(name + ": no manifest before it");
                        continue;
                    }
                    tarballs.add(name);
                    verify(name, tar, Expected.of(m), storage, problems);
                } else if (name.startsWith("h/") && name.endsWith(".json")) {
                    archiveManifests.put(name, json.readValue(small, ArchiveManifest.class));
                } else if (name.startsWith("h/") && name.endsWith(".tar.gz")) {
                    ArchiveManifest m = archiveManifests.get(name.substring(0, name.length() - ".tar.gz".length()) + ".json");
                    if (m == null || m.zig() == null || !name.equals(StorageKeys.archiveTarball(m.zig().legacyHash()))) {
                        problems.add(name + ": no archive manifest for it before it");
                        continue;
                    }
                    if (verify(name, tar, Expected.of(m), storage, problems)) {
                        archives.add(m);
                    }
                } else if (!name.startsWith(StorageKeys.STATE_DIR + "closures/")) {
                    problems.add(name + ": not something packbase exports");
                }
            }
        }
        if (index == null) {
            problems.add("no " + INDEX + ": not a packbase export");
            return new Checked(new Index(1, Map.of(), List.of()), Map.of(), List.of());
        }
        Map<String, List<Imported>> byPackage = new TreeMap<>();
        for (Version v : index.versions()) {
            if (!PackageName.isValid(v.pkg()) || v.kind() == null || v.name() == null) {
                problems.add(v + ": not a package version");
                continue;
            }
            PackageName pkg = new PackageName(v.pkg());
            String manifestKey = StorageKeys.manifest(pkg, v.kind(), v.name());
            if (!manifests.containsKey(manifestKey) || !tarballs.contains(StorageKeys.tarball(pkg, v.kind(), v.name()))) {
                problems.add(v.what() + ": its manifest or tarball is missing from the file");
                continue;
            }
            String upstream = index.upstreams().get(v.pkg());
            Optional<PackageRecord> existing = state.find(pkg);
            if (existing.isPresent() && !existing.get().upstreamUrl().equals(upstream)) {
                problems.add(v.pkg() + ": bound to " + existing.get().upstreamUrl() + " here, to " + upstream + " in the file");
            }
            byPackage.computeIfAbsent(v.pkg(), k -> new ArrayList<>()).add(new Imported(v, manifests.get(manifestKey)));
        }
        if (archives.size() != archiveManifests.size()) {
            problems.add((archiveManifests.size() - archives.size()) + " archive manifest(s) without a verified tarball");
        }
        return new Checked(index, byPackage, archives);
    }

    /** A tarball against its manifest (size, sha256 of the file and of the tar) and its Zig hash, and against the root. */
    private static boolean verify(String key, InputStream in, Expected m, Storage storage, List<String> problems)
            throws IOException {
        int before = problems.size();
        ZigPackageHash.Builder zig = ZigPackageHash.builder();
        Digests d;
        try {
            d = Digests.of(in, tar -> hashFiles(tar, zig));
        } catch (IOException | RuntimeException e) {
            problems.add(key + ": unreadable: " + e.getMessage());
            return false;
        }
        if (d.size() != m.size() || !d.sha256().equals(m.sha256())) {
            problems.add(key + ": " + d.size() + " bytes with sha256 " + d.sha256() + ", its manifest says "
                    + m.size() + " bytes with sha256 " + m.sha256());
            return false;
        }
        if (!d.tarSha256().equals(m.tarSha256())) {
            problems.add(key + ": the uncompressed tar does not match its manifest's tar_sha256");
        }
        ZigPackageHash.Result r = zig.finish();
        if (m.zig() != null && (!java.util.Objects.equals(r.hash(), m.zig().hash())
                || !java.util.Objects.equals(r.legacyHash(), m.zig().legacyHash()))) {
            problems.add(key + ": its Zig hash is " + r.hash() + " / " + r.legacyHash() + ", its manifest says "
                    + m.zig().hash() + " / " + m.zig().legacyHash());
        }
        if (storage.stat(key).isPresent() && !Digests.of(storage, key).sha256().equals(d.sha256())) {
            problems.add(key + ": this root holds another tarball there");
        }
        return problems.size() == before;
    }

    /** Feeds a packbase tarball's files (below its one top directory, which Zig strips) to the Zig hasher. */
    private static void hashFiles(InputStream tarStream, ZigPackageHash.Builder zig) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(tarStream, StandardCharsets.UTF_8.name());
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            int slash = e.getName().indexOf('/');
            String path = slash < 0 ? "" : e.getName().substring(slash + 1);
            if (e.isDirectory() || path.isEmpty()) {
                continue;
            }
            if (e.isSymbolicLink()) {
                zig.symlink(path, e.getLinkName());
            } else {
                try (OutputStream sink = zig.file(path)) {
                    tar.transferTo(sink);
                }
            }
        }
    }

    /** Pass two: every file written as a root writes it; existing identical tarballs are kept. */
    private static void write(Path file, Storage storage) throws IOException {
        try (TarArchiveInputStream tar = open(file)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String key = e.getName();
                if (key.equals(INDEX)) {
                    continue;
                }
                TarArchiveInputStream from = tar;
                if (key.endsWith(".tar.gz")) {
                    storage.createIfAbsent(key, out -> from.transferTo(out));
                } else if ((key.startsWith("p/") || key.startsWith("h/")) && storage.stat(key).isPresent()) {
                    continue; // a manifest is written once, with its tarball
                } else {
                    storage.replace(key, out -> from.transferTo(out));
                }
            }
        }
    }

    /** The package's record with the imported versions added; what it held stays as it was. */
    private static PackageRecord merge(Optional<PackageRecord> existing, PackageName pkg, String upstream,
            List<Imported> imported, long now) {
        Map<String, TagEntry> tags = new LinkedHashMap<>();
        Map<String, TagEntry> commits = new LinkedHashMap<>();
        existing.ifPresent(r -> r.tags().forEach(t -> tags.put(t.tag(), t)));
        existing.ifPresent(r -> r.commits().forEach(t -> commits.put(t.tag(), t)));
        for (Imported i : imported) {
            (i.version().kind() == RefKind.COMMIT ? commits : tags).putIfAbsent(i.manifest().tag(), i.manifest().toEntry());
        }
        return new PackageRecord(PackageRecord.FORMAT, pkg.value(), upstream, existing.map(PackageRecord::createdAt).orElse(now),
                existing.map(PackageRecord::checkedAt).orElse(0L), List.copyOf(tags.values()),
                existing.map(PackageRecord::warnings).orElse(List.of()), existing.map(PackageRecord::skipped).orElse(List.of()),
                List.copyOf(commits.values()));
    }

    private static TarArchiveInputStream open(Path file) throws IOException {
        return new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.UTF_8.name());
    }
}
