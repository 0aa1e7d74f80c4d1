package dev.packbase.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.ServedPackage;
import dev.packbase.domain.TagEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming reader of a record's serving view agrees with building the record and taking its view. */
class ServedPackageReaderTest {
    private static final ObjectMapper JSON = Json.newMapper();
    private final ServedPackageReader reader = new ServedPackageReader(JSON.getFactory());

    private ServedPackage read(byte[] json) throws IOException {
        return reader.read(new ByteArrayInputStream(json));
    }

    @Test
    void aStoredRecordGivesTheSameViewAsTheRecordItself() throws Exception {
        PackageRecord record = PackageStateTest.record("alpha", 4);
        assertEquals(ServedPackage.of(record), read(JSON.writeValueAsBytes(record)));
    }

    @Test
    void tagsWithoutZigMetadataAndFieldsThisReaderDoesNotKnowAreFine() throws Exception {
        TagEntry t = PackageStateTest.tag("v2.0.0", 7);
        TagEntry noZig = new TagEntry(t.tag(), t.upstreamObject(), t.upstreamCommit(), t.treeOid(), t.commitOid(),
                t.commitTime(), t.sizeBytes(), t.sha256(), t.md5(), t.crc32(), t.tarSha256(), t.fileCount(), null);
        PackageRecord record = new PackageRecord(PackageRecord.FORMAT, "beta", "https://example.invalid/beta", 5, 6,
                List.of(noZig), List.of("w"), List.of(new PackageRecord.SkippedTag("bad", "0".repeat(40), "why")));
        String stored = JSON.writeValueAsString(record).replaceFirst("\\{", "{\"later_field\":{\"nested\":[1,{\"x\":2}]},");
        assertEquals(ServedPackage.of(record), read(stored.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void somethingThatIsNoRecordIsAnError() {
        assertThrows(IOException.class, () -> read("[1,2]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> read("{\"tags\":[]}".getBytes(StandardCharsets.UTF_8)));
    }
}
