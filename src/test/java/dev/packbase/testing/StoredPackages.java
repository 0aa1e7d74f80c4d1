package dev.packbase.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagManifest;
import dev.packbase.git.DerivedGit;
import dev.packbase.git.RootCommit;
import dev.packbase.ingest.TarballWriter;
import dev.packbase.ingest.UpstreamTag;
import dev.packbase.state.PackageState;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Writes a package into any {@link Storage} the way ingest lays it out (tarball, manifest, record, derived Git
 * data) from a {@link ScriptedUpstream}, with no file and no Ingestor: for tests of the registry-side objects on a
 * {@link dev.packbase.storage.MemoryStorage}. Tags that point at anything but a commit are left out.
 */
public final class StoredPackages {
    private StoredPackages() {
    }

    public static PackageRecord write(PackageState state, DerivedGit derived, ObjectMapper json, ScriptedUpstream upstream,
            PackageName name, long now) throws IOException {
        Storage storage = state.storage();
        List<UpstreamTag> tags = upstream.listTags();
        List<TagManifest> manifests = new ArrayList<>();
        try (Repository repo = upstream.fetch(tags, null); RevWalk walk = new RevWalk(repo);
                ObjectReader reader = repo.newObjectReader()) {
            for (UpstreamTag tag : tags) {
                RevObject object = walk.parseAny(tag.object());
                RevTag annotated = null;
                while (object instanceof RevTag t) {
                    annotated = annotated == null ? t : annotated;
                    object = walk.parseAny(t.getObject());
                }
                if (!(object instanceof RevCommit commit)) {
                    continue;
                }
                walk.parseBody(commit);
                byte[] raw = commit.getRawBuffer();
                ObjectId tree = commit.getTree().getId();
                long time = commit.getCommitterIdent().getWhenAsInstant().getEpochSecond();
                String key = StorageKeys.tarball(name, tag.name());
                TarballWriter.Result[] r = new TarballWriter.Result[1];
                storage.createIfAbsent(key, out -> r[0] = new TarballWriter(1L << 30, 100_000)
                        .write(reader, tree, name.value() + "-" + tag.name(), time, out));
                TagManifest m = new TagManifest(TagManifest.FORMAT, name.value(), tag.name(), upstream.url(), tag.refName(),
                        tag.object().name(), annotated == null ? null : annotated.getId().name(), commit.getId().name(),
                        Base64.getEncoder().encodeToString(raw), tree.name(), RootCommit.id(RootCommit.derive(raw, tree)).name(),
                        r[0].gitlinks(), time, new TagManifest.Tarball(key, r[0].gzSize(), r[0].gzSha256(), r[0].gzMd5(),
                                r[0].gzCrc32()), r[0].tarSize(), r[0].tarSha256(), r[0].fileCount(), now, "test", List.of(),
                        dev.packbase.ingest.ZigInfos.of(r[0].zig()));
                storage.replace(StorageKeys.manifest(name, tag.name()), out -> json.writeValue(out, m));
                manifests.add(m);
            }
        }
        PackageRecord record = new PackageRecord(PackageRecord.FORMAT, name.value(), upstream.url(), now, now,
                manifests.stream().map(TagManifest::toEntry).toList(), List.of(), List.of());
        state.save(record);
        derived.ensure(name, record.tags(), List.of(), (kind, tag) -> manifests.stream().filter(m -> m.tag().equals(tag))
                .findFirst().orElseThrow());
        return record;
    }
}
