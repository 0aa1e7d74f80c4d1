package dev.packbase.closure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PublicPaths;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.ZigInfo;
import dev.packbase.metrics.Metrics;
import dev.packbase.ingest.ArchiveService;
import dev.packbase.ingest.FetchResult;
import dev.packbase.ingest.FetchService;
import dev.packbase.state.PackageState;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.zig.ZigManifest;
import dev.packbase.zig.ZigPackageHash;
import dev.packbase.zig.ZonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Mirrors the transitive dependency tree of a {@code build.zig.zon} (or of one mirrored version),
 * breadth first: every {@code .url} dependency, lazy ones included, is ingested through the same
 * {@link FetchService} as {@code POST /api/fetch} (Git URLs) or the {@link ArchiveService} (archive URLs), checked against the hash its parent declared, and
 * followed through its own {@code build.zig.zon}; a hash seen twice (a diamond) is one node with two
 * parents. {@code .path} dependencies are reported, not followed. One failing node never stops the
 * others; a node whose hash does not verify is not followed. On a read-only root (an edge) only what is
 * held counts, and nothing is fetched or stored.
 */
public final class ClosureService {
    private static final Logger LOG = Logger.getLogger(ClosureService.class.getName());
    /** The parent of the nodes a request names directly. */
    public static final String ROOT = "root";

    private final FetchService fetches;
    private final ArchiveService archives;
    private final PackageState state;
    private final Storage storage;
    private final ObjectMapper json;
    private final int maxNodes;
    private final Metrics metrics;

    public ClosureService(FetchService fetches, ArchiveService archives, PackageState state, Storage storage,
            ObjectMapper json, int maxNodes, Metrics metrics) {
        this.metrics = metrics;
        this.fetches = fetches;
        this.archives = archives;
        this.state = state;
        this.storage = storage;
        this.json = json;
        this.maxNodes = maxNodes;
    }

    /** A version packbase holds, the root of a stored closure. */
    private record Version(PackageName pkg, RefKind kind, String name) {
    }

    /** A dependency still to visit: what its parent declared, and where in the tree it is. */
    private record Pending(String name, String url, String hash, String path, boolean lazy, int depth, String parent) {
    }

    /** The closure of the dependencies a {@code build.zig.zon} declares. */
    public Closure ofManifest(byte[] zon) {
        ZigManifest manifest;
        try {
            manifest = ZigManifest.parse(zon);
        } catch (ZonParseException e) {
            throw PackbaseException.badRequest("the build.zig.zon does not parse: " + e.getMessage());
        }
        List<Pending> roots = new ArrayList<>();
        manifest.dependencies().forEach(d -> roots.add(new Pending(d.name(), d.url(), d.hash(), d.path(),
                Boolean.TRUE.equals(d.lazy()), 1, ROOT)));
        return walk(roots);
    }

    /**
     * The closure of one URL as Zig writes it ({@code git+https://…#<ref>}): the URL itself is the root
     * node (depth 0). When it lands, the closure is stored for its version.
     */
    public Closure ofUrl(String url) {
        Pending root = new Pending(null, url, null, null, false, 0, ROOT);
        Visited v = visit(root);
        Map<String, Closure.Node> nodes = new LinkedHashMap<>();
        nodes.put(v.node().computedHash() != null ? v.node().computedHash() : "url:" + url, v.node());
        Closure closure = walk(nodes, v.children());
        if (v.version() != null) {
            store(v.version(), closure);
        }
        return closure;
    }

    /** The closure of a version packbase holds: its own dependencies; stored for that version. */
    public Closure ofVersion(PackageName pkg, RefKind kind, String name) {
        TagEntry entry = entry(pkg, kind, name).orElseThrow(() -> notHeld(pkg, kind, name));
        Closure closure = walk(new LinkedHashMap<>(), children(entry.zig(), 1, ROOT));
        store(new Version(pkg, kind, name), closure);
        return closure;
    }

    /**
     * Keeps a root's closures complete as it grows: when closures are stored for {@code pkg} (someone
     * mirrored one of its versions with its tree), each of its new {@code tags} gets its closure mirrored
     * too. Called by updates after a package's new tags landed.
     */
    public void extend(PackageName pkg, List<String> tags) {
        if (tags.isEmpty() || !storage.writable()) {
            return;
        }
        try {
            if (storage.list(StorageKeys.closureDir(pkg)).isEmpty()) {
                return;
            }
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot list the closures of " + pkg + ": "
                    + e.getMessage(), e);
        }
        for (String tag : tags) {
            Closure closure = ofVersion(pkg, RefKind.TAG, tag);
            if (!closure.complete()) {
                LOG.warning(() -> "closure of " + pkg + " " + tag + " is incomplete: " + closure.failing().size()
                        + " package(s) not mirrored");
            }
        }
    }

    /** The closure last stored for a version ({@code GET /api/closure/<pkg>/<tag>}). */
    public Closure stored(PackageName pkg, RefKind kind, String name) {
        return find(pkg, kind, name).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND, "no closure is stored for "
                + pkg + " " + kind.segment() + " '" + name + "': POST /api/closure mirrors it",
                Map.of("package", pkg.value()), null));
    }

    /** The closure last stored for a version, if one is. */
    public java.util.Optional<Closure> find(PackageName pkg, RefKind kind, String name) {
        String key = StorageKeys.closure(pkg, kind, name);
        try {
            if (storage.stat(key).isEmpty()) {
                return java.util.Optional.empty();
            }
            try (InputStream in = storage.open(key)) {
                return java.util.Optional.of(json.readValue(in, Closure.class));
            }
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    private void store(Version v, Closure closure) {
        if (!storage.writable()) {
            return; // an edge answers from what the central node stored
        }
        try {
            storage.replace(StorageKeys.closure(v.pkg(), v.kind(), v.name()), out -> json.writeValue(out, closure));
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot store the closure of " + v.pkg() + ": "
                    + e.getMessage(), e);
        }
    }

    private static PackbaseException notHeld(PackageName pkg, RefKind kind, String name) {
        return new PackbaseException(ErrorCode.NOT_FOUND, "package '" + pkg + "' has no " + kind.segment() + " '" + name
                + "'", Map.of("package", pkg.value()), null);
    }

    private Closure walk(List<Pending> roots) {
        return walk(new LinkedHashMap<>(), roots);
    }

    private Closure walk(Map<String, Closure.Node> nodes, List<Pending> roots) {
        Deque<Pending> queue = new ArrayDeque<>(roots);
        while (!queue.isEmpty()) {
            Pending p = queue.removeFirst();
            String key = p.hash() != null ? p.hash() : p.path() != null ? "path:" + p.parent() + ":" + p.path() : "url:" + p.url();
            Closure.Node seen = nodes.get(key);
            if (seen != null) {
                nodes.put(key, seen.withParent(p.parent()));
                continue;
            }
            if (nodes.size() >= maxNodes) {
                nodes.put(key, node(p, null, Closure.Status.LIMIT_EXCEEDED, "more than " + maxNodes
                        + " packages in this closure (PACKBASE_MAX_CLOSURE_NODES)", null));
                metrics.closureNode(Metrics.ClosureNode.LIMIT_EXCEEDED, 0);
                continue;
            }
            long start = System.nanoTime();
            Visited v = visit(p);
            metrics.closureNode(counted(v.node().status()), System.nanoTime() - start);
            nodes.put(key, v.node());
            queue.addAll(v.children());
        }
        return Closure.of(List.copyOf(nodes.values()));
    }

    private static Metrics.ClosureNode counted(Closure.Status status) {
        return switch (status) {
            case OK -> Metrics.ClosureNode.OK;
            case HASH_MISMATCH -> Metrics.ClosureNode.HASH_MISMATCH;
            case UPSTREAM_FAILED -> Metrics.ClosureNode.UPSTREAM_FAILED;
            case UNSUPPORTED -> Metrics.ClosureNode.UNSUPPORTED;
            case LIMIT_EXCEEDED -> Metrics.ClosureNode.LIMIT_EXCEEDED;
            case SKIPPED_PATH -> Metrics.ClosureNode.SKIPPED_PATH;
        };
    }

    /** A visited node, the dependencies it adds to the walk, and the version it is here (null unless fetched). */
    private record Visited(Closure.Node node, List<Pending> children, Version version) {
        Visited(Closure.Node node) {
            this(node, List.of(), null);
        }
    }

    private Visited visit(Pending p) {
        if (p.path() != null) {
            return new Visited(node(p, null, Closure.Status.SKIPPED_PATH, "a .path dependency is part of its parent's"
                    + " tree, not a package of its own", null));
        }
        if (p.url() != null && ArchiveService.isArchiveUrl(p.url())) {
            return visitArchive(p);
        }
        if (p.url() == null || !(p.url().startsWith("git+http://") || p.url().startsWith("git+https://"))) {
            return new Visited(node(p, null, Closure.Status.UNSUPPORTED, "only git+http(s) and http(s) archive"
                    + " dependencies are mirrored", null));
        }
        if (!p.url().contains("#")) {
            return new Visited(node(p, null, Closure.Status.UNSUPPORTED, "a Git URL without #<tag> or #<commit> names"
                    + " no version; zig fetch --save writes the commit", null));
        }
        TagEntry entry;
        Version version;
        try {
            Optional<FetchService.Held> held = fetches.held(p.url());
            if (held.isPresent()) {
                version = new Version(held.get().pkg(), held.get().kind(), held.get().name());
            } else if (!storage.writable()) {
                return new Visited(node(p, null, Closure.Status.UPSTREAM_FAILED, "not mirrored here, and this node"
                        + " serves a read-only root: mirror it on the central node", null));
            } else {
                FetchResult fetched = fetches.fetch(p.url(), null);
                FetchResult.Pinned pinned = fetched.pinned();
                version = new Version(new PackageName(fetched.packageName()), pinned.kind(), pinned.name());
            }
            entry = entry(version.pkg(), version.kind(), version.name()).orElseThrow();
        } catch (PackbaseException e) {
            return failed(p, e);
        }
        ZigInfo zig = entry.zig();
        String computed = zig == null ? null : legacy(p.hash()) ? zig.legacyHash() : zig.hash();
        if (computed == null) {
            return new Visited(node(p, null, Closure.Status.UNSUPPORTED, "no Zig package hash: "
                    + (zig == null ? "not computed" : zig.hashUnavailableReason()), null));
        }
        if (p.hash() != null && !p.hash().equals(computed)) {
            LOG.warning(() -> "closure: " + p.url() + " has hash " + computed + ", its parent declared " + p.hash());
            return new Visited(node(p, computed, Closure.Status.HASH_MISMATCH, "the parent declares " + p.hash()
                    + " but the package is " + computed, null));
        }
        return new Visited(node(p, computed, Closure.Status.OK, null, PublicPaths.byZigHash(computed)),
                children(zig, p.depth() + 1, computed), version);
    }

    /**
     * An archive dependency: mirrored (or found held) and checked against the declared hash by the
     * archive service, which stores nothing that does not verify; followed through its own build.zig.zon.
     */
    private Visited visitArchive(Pending p) {
        ArchiveService.Outcome outcome;
        try {
            outcome = archives.mirror(p.url(), p.hash()); // on a read-only root: what is held, or read_only
        } catch (PackbaseException e) {
            return failed(p, e);
        }
        if (outcome instanceof ArchiveService.Mismatch m) {
            LOG.warning(() -> "closure: " + p.url() + " has hash " + m.computed() + ", its parent declared " + p.hash());
            return new Visited(node(p, m.computed(), Closure.Status.HASH_MISMATCH, "the parent declares " + p.hash()
                    + " but the archive is " + m.computed() + "; nothing was stored", null));
        }
        ArchiveService.Mirrored held = (ArchiveService.Mirrored) outcome;
        return new Visited(node(p, held.hash(), Closure.Status.OK, null, PublicPaths.byZigHash(held.hash())),
                children(held.manifest().zig(), p.depth() + 1, held.hash()), null);
    }

    /** A node that could not be mirrored: its status follows the error's code. */
    private static Visited failed(Pending p, PackbaseException e) {
        Closure.Status status = switch (e.code()) {
            case LIMIT_EXCEEDED -> Closure.Status.LIMIT_EXCEEDED;
            case BAD_ARCHIVE, BAD_REQUEST -> Closure.Status.UNSUPPORTED;
            default -> Closure.Status.UPSTREAM_FAILED;
        };
        return new Visited(node(p, null, status, e.getMessage(), null));
    }

    /** Zig 0.12/0.13's {@code 1220…} form; what a parent declared decides which form its child is checked in. */
    private static boolean legacy(String hash) {
        return hash != null && ZigPackageHash.isLegacy(hash);
    }

    private static List<Pending> children(ZigInfo zig, int depth, String parent) {
        if (zig == null) {
            return List.of();
        }
        return zig.dependencies().stream().map(d -> new Pending(d.name(), d.url(), d.hash(), d.path(),
                Boolean.TRUE.equals(d.lazy()), depth, parent)).toList();
    }

    private static Closure.Node node(Pending p, String computed, Closure.Status status, String message, String packbaseUrl) {
        return new Closure.Node(p.name(), p.url(), p.path(), p.hash(), computed, p.lazy(), p.depth(), List.of(p.parent()),
                status, message, packbaseUrl);
    }

    private Optional<TagEntry> entry(PackageName pkg, RefKind kind, String name) {
        try {
            return state.find(pkg).flatMap(r -> r.entry(kind, name));
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot read the record of " + pkg + ": "
                    + e.getMessage(), e);
        }
    }
}
