package dev.packbase.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.packbase.domain.ServedPackage;
import dev.packbase.domain.ServedPackage.ServedTag;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@link ServedPackage} out of a stored package record without building the record: only
 * the fields serving needs are kept, everything else is skipped unparsed. Loading every record at
 * start is most of the start time of a large root, and most of a record is Zig metadata and digests
 * that serving never looks at. Field names are the record's JSON names ({@code PackageRecord},
 * {@code TagEntry}, {@code ZigInfo}); {@code ServedPackageReaderTest} checks that this reader and
 * {@link ServedPackage#of} agree.
 */
final class ServedPackageReader {
    private final JsonFactory factory;

    ServedPackageReader(JsonFactory factory) {
        this.factory = factory;
    }

    ServedPackage read(InputStream in) throws IOException {
        try (JsonParser p = factory.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "a package record");
            String name = null;
            String upstreamUrl = null;
            long checkedAt = 0;
            List<ServedTag> tags = new ArrayList<>();
            List<ServedTag> commits = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "name" -> name = p.getValueAsString();
                    case "upstream_url" -> upstreamUrl = p.getValueAsString();
                    case "checked_at" -> checkedAt = p.getValueAsLong();
                    case "tags" -> entries(p, value, "tags", tags);
                    case "commits" -> entries(p, value, "commits", commits);
                    default -> p.skipChildren();
                }
            }
            if (name == null) {
                throw new IOException("a package record without a name");
            }
            return new ServedPackage(name, upstreamUrl, checkedAt, tags, commits);
        }
    }

    private static void entries(JsonParser p, JsonToken value, String field, List<ServedTag> into) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        expect(value, JsonToken.START_ARRAY, field);
        while (p.nextToken() == JsonToken.START_OBJECT) {
            into.add(tag(p));
        }
    }

    private static ServedTag tag(JsonParser p) throws IOException {
        String tag = null;
        String sha256 = null;
        String commitOid = null;
        String zigHash = null;
        String zigLegacyHash = null;
        List<String> dependencyHashes = new ArrayList<>();
        long size = 0;
        long commitTime = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "tag" -> tag = p.getValueAsString();
                case "size_bytes" -> size = p.getValueAsLong();
                case "sha256" -> sha256 = p.getValueAsString();
                case "commit_oid" -> commitOid = p.getValueAsString();
                case "commit_time" -> commitTime = p.getValueAsLong();
                case "zig" -> {
                    if (value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String z = p.currentName();
                            p.nextToken();
                            switch (z) {
                                case "hash" -> zigHash = p.getValueAsString();
                                case "legacy_hash" -> zigLegacyHash = p.getValueAsString();
                                case "dependencies" -> dependencyHashes(p, dependencyHashes);
                                default -> p.skipChildren();
                            }
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (tag == null) {
            throw new IOException("a tag entry without a tag");
        }
        return new ServedTag(tag, size, sha256, commitOid, commitTime, zigHash, zigLegacyHash, dependencyHashes);
    }

    /** The {@code hash} of each entry of {@code zig.dependencies}, the parser on the array's start. */
    private static void dependencyHashes(JsonParser p, List<String> into) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("hash") && value == JsonToken.VALUE_STRING) {
                    into.add(p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private static void expect(JsonToken actual, JsonToken expected, String what) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + what + ", found " + actual);
        }
    }
}
