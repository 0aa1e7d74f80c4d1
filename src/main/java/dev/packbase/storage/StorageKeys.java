package dev.packbase.storage;

import dev.packbase.domain.PackageName;
import dev.packbase.domain.RefKind;

/**
 * The layout of the root (DESIGN.md "On-disk layout"). Public files live where a static web server
 * serving the root would expose them at the same URLs; packbase's own state lives under
 * {@code .packbase/}.
 */
public final class StorageKeys {
    public static final String STATE_DIR = ".packbase/";
    public static final String PACKAGES_DIR = STATE_DIR + "packages/";
    /** Every package's info entry in one file (the contract's), rewritten by the state's coalescing writer. */
    public static final String INFO_SNAPSHOT = STATE_DIR + "package-info.json";
    /** Present while the snapshot may be behind the per-package info entries (see state.SnapshotWriter). */
    public static final String SNAPSHOT_PENDING = STATE_DIR + "package-info.pending";
    /** One info entry per package: what a fetch or update of that package writes. */
    public static final String INFO_DIR = STATE_DIR + "info/";
    public static final String TMP_DIR = STATE_DIR + "tmp/";
    /** Replaced by each readiness check of a writable node ({@code GET /readyz}): proves the store takes writes. */
    public static final String READY_PROBE = STATE_DIR + "ready-probe";
    public static final String SOURCE_CURRENT = STATE_DIR + "source/current.json";
    public static final String SOURCE_PREVIOUS = STATE_DIR + "source/previous.json";
    public static final String UPDATE_STATE = STATE_DIR + "update-state.json";
    /** The web face's package descriptions by tarball sha256 (derived from the READMEs, rebuilt when lost). */
    public static final String WEB_SUMMARIES = STATE_DIR + "web/summaries.json";
    /** Bare fixture repositories that POST /api/update imports like any upstream. */
    public static final String FIXTURES_DIR = "git/";

    private StorageKeys() {
    }

    public static String tarball(PackageName pkg, String tag) {
        return tarball(pkg, RefKind.TAG, tag);
    }

    public static String manifest(PackageName pkg, String tag) {
        return manifest(pkg, RefKind.TAG, tag);
    }

    /** {@code p/<pkg>/tag/<tag>.tar.gz} or {@code p/<pkg>/commit/<full id>.tar.gz}. */
    public static String tarball(PackageName pkg, RefKind kind, String name) {
        return dir(pkg, kind) + name + ".tar.gz";
    }

    public static String manifest(PackageName pkg, RefKind kind, String name) {
        return dir(pkg, kind) + name + ".json";
    }

    public static String tagDir(PackageName pkg) {
        return dir(pkg, RefKind.TAG);
    }

    public static String dir(PackageName pkg, RefKind kind) {
        return "p/" + pkg.value() + "/" + kind.segment() + "/";
    }

    /** The closure last mirrored for a version (closure.ClosureService). */
    public static String closure(PackageName pkg, RefKind kind, String name) {
        return closureDir(pkg) + kind.segment() + "/" + name + ".json";
    }

    public static String closureDir(PackageName pkg) {
        return STATE_DIR + "closures/" + pkg.value() + "/";
    }

    /**
     * {@code h/<legacy zig hash>.tar.gz}: an archive package's tarball, where a static server over the
     * root serves its {@code /h/} URL (the {@code 1220…} form, which every archive package has).
     */
    public static String archiveTarball(String legacyHash) {
        return "h/" + legacyHash + ".tar.gz";
    }

    /** {@code h/<legacy zig hash>.json}: an archive package's manifest. */
    public static String archiveManifest(String legacyHash) {
        return "h/" + legacyHash + ".json";
    }

    /** The archive package a Zig 0.14+ hash names: a pointer to its legacy-form key. */
    public static String archiveByHash(String hash) {
        return STATE_DIR + "archives/hash/" + hash + ".json";
    }

    /** The archive package an archive URL was mirrored as; {@code urlDigest} is the URL's sha256. */
    public static String archiveByUrl(String urlDigest) {
        return STATE_DIR + "archives/url/" + urlDigest + ".json";
    }

    /** Derived Git data of a package: a rebuildable cache (see git.DerivedGit). */
    public static String gitDir(PackageName pkg) {
        return STATE_DIR + "git/" + pkg.value() + "/";
    }

    public static String packageInfo(String pkg) {
        return INFO_DIR + pkg + ".json";
    }

    public static String packageRecord(PackageName pkg) {
        return PACKAGES_DIR + pkg.value() + ".json";
    }

    /**
     * Rejects anything that is not a plain relative path: the keys come from validated names, so a
     * failure here is a bug, but it must never become a write outside the root.
     */
    public static String checked(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("illegal storage key: " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("illegal storage key: " + key);
            }
        }
        return key;
    }
}
