package dev.packbase.ingest;

import dev.packbase.domain.ZigInfo;
import dev.packbase.zig.ZigEra;
import dev.packbase.zig.ZigManifest;
import dev.packbase.zig.ZigPackageHash;

/** Turns the Zig hasher's result into the {@link ZigInfo} value that manifests and the API carry. */
public final class ZigInfos {
    private ZigInfos() {
    }

    public static ZigInfo of(ZigPackageHash.Result r) {
        ZigManifest m = r.manifest();
        return new ZigInfo(
                r.hash(),
                r.legacyHash(),
                r.hashUnavailableReason(),
                r.digest(),
                r.totalSize(),
                r.fileCount(),
                m == null ? null : m.name(),
                m == null ? null : m.nameForm().name().toLowerCase(java.util.Locale.ROOT),
                m == null ? null : m.version(),
                m == null || m.fingerprint() == null ? null : String.format("0x%016x", m.fingerprint()),
                m == null ? null : m.minimumZigVersion(),
                m == null ? null : m.paths(),
                m == null ? null : m.dependencies().stream()
                        .map(d -> new ZigInfo.Dependency(d.name(), d.url(), d.hash(), d.path(), d.lazy())).toList(),
                r.acceptedBy().stream().sorted().map(ZigEra::label).toList(),
                r.manifestError(),
                r.warnings());
    }
}
