package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which archive a download is, decided as Zig's fetcher decides (notes/zig-client.md §1.3). */
class ArchiveTypeTest {
    @Test
    void thePathSuffixCountsWithoutCaseAndTheQueryAndFragmentDoNot() {
        assertEquals(Optional.of(ArchiveType.TAR_GZ), ArchiveType.fromUrl("https://github.com/o/r/archive/refs/tags/v1.3.1.tar.gz"));
        assertEquals(Optional.of(ArchiveType.TAR_GZ), ArchiveType.fromUrl("https://h/x.TGZ?token=a.zip#frag.tar"));
        assertEquals(Optional.of(ArchiveType.TAR_XZ), ArchiveType.fromUrl("https://h/x-1.0.txz"));
        assertEquals(Optional.of(ArchiveType.TAR_ZST), ArchiveType.fromUrl("https://h/x.tar.zst"));
        assertEquals(Optional.of(ArchiveType.TAR), ArchiveType.fromUrl("https://h/x.tar"));
        assertEquals(Optional.of(ArchiveType.ZIP), ArchiveType.fromUrl("https://codeberg.org/o/r/archive/v1.zip"));
        assertEquals(Optional.of(ArchiveType.ZIP), ArchiveType.fromUrl("https://h/lib.jar"));
        assertEquals(Optional.empty(), ArchiveType.fromUrl("https://h/x.tar.bz2"));
        assertEquals(Optional.empty(), ArchiveType.fromUrl("https://h/download?file=x.tar.gz"));
        assertEquals(Optional.empty(), ArchiveType.fromUrl("not a url"));
    }

    @Test
    void contentTypeFirstThenDispositionForGenericTypesThenThePath() {
        String url = "https://h/download.tar.gz";
        assertEquals(Optional.of(ArchiveType.TAR), ArchiveType.of("application/x-tar", null, url),
                "S3's x-tar for a .tar.gz is read as a plain tar, as Zig reads it");
        assertEquals(Optional.of(ArchiveType.TAR_GZ), ArchiveType.of("Application/GZIP; charset=binary", null, "https://h/x"));
        assertEquals(Optional.of(ArchiveType.ZIP), ArchiveType.of("application/zip", null, url));
        assertEquals(Optional.empty(), ArchiveType.of("application/gzip ; x", null, url), "no trimming before ';'");
        assertEquals(Optional.empty(), ArchiveType.of("text/html", null, url));
        assertEquals(Optional.empty(), ArchiveType.of(null, null, url), "a missing Content-Type is refused");
        assertEquals(Optional.of(ArchiveType.TAR_GZ), ArchiveType.of("application/octet-stream", null, url));
        assertEquals(Optional.of(ArchiveType.ZIP), ArchiveType.of("application/octet-stream",
                "attachment; filename=\"r-1.0.zip\"", url), "the disposition wins over the path");
        assertEquals(Optional.empty(), ArchiveType.of("application/octet-stream", "inline; filename=x.zip", url),
                "a disposition that does not parse fails the fetch");
        assertEquals(Optional.of("x.tar.xz"), ArchiveType.dispositionName("attachment; filename*=x.tar.xz; size=3"));
    }
}
