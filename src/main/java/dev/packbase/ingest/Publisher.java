package dev.packbase.ingest;

import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.state.PackageInfos;
import dev.packbase.state.PackageState;
import dev.packbase.storage.Storage;
import java.io.IOException;
import java.util.List;

/**
 * The publish stage: hands results to the state owner. The record goes first and is the commit
 * point of an ingest (written after every tarball and manifest it names, before derived data, so
 * that a crash at any later point leaves a package whose derived data the startup check rebuilds);
 * the info snapshot entry follows once derive and verify have run.
 */
public final class Publisher {
    private final PackageState state;
    private final Storage storage;

    public Publisher(PackageState state, Storage storage) {
        this.state = state;
        this.storage = storage;
    }

    /** Stores the merge of this ingest onto the stored record (merged again if another writer changed it). */
    public RecordMerge.Merged record(PackageName name,
            java.util.function.Function<java.util.Optional<PackageRecord>, RecordMerge.Merged> merge) throws IOException {
        return state.update(name, merge, RecordMerge.Merged::record);
    }

    /** The package's info snapshot for this record and Git status (not yet published). */
    public PackageInfo info(PackageRecord record, GitStatus git, long now) throws IOException {
        return PackageInfos.compute(record, storage, state.registeredNames().contains(record.name()), git, now);
    }

    public void publish(PackageInfo info) throws IOException {
        state.saveInfos(List.of(info));
    }

    /** The package's published info snapshot entry, if it has one. */
    public java.util.Optional<PackageInfo> published(PackageName name) {
        return state.info(name.value());
    }
}
