package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link UpstreamUrl#parse}: any text is a URL or a BAD_REQUEST {@link PackbaseException}.
 * Input: the low bit of the first byte is {@code allowFile}, the rest is the URL as UTF-8, so a
 * seed reads {@code 0git+https://host/owner/repo}. Seeds: UpstreamUrlFuzzTestInputs/parse.
 */
class UpstreamUrlFuzzIT {

    @FuzzTest
    void parse(byte[] input) {
        if (input.length == 0) {
            return;
        }
        boolean allowFile = (input[0] & 1) != 0;
        String raw = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        UpstreamUrl url;
        try {
            url = UpstreamUrl.parse(raw, allowFile);
        } catch (PackbaseException e) {
            assertEquals(ErrorCode.BAD_REQUEST, e.code(), e.getMessage());
            return;
        }
        assertFalse(url.derivedName().isEmpty());
        assertFalse(url.derivedName().contains("/"), url.derivedName());
        assertFalse(url.identity().isEmpty());
        assertTrue(url.transport().startsWith("http") || url.transport().startsWith("file"), url.transport());
        assertTrue(url.sameUpstreamAs(url.transport()), url.transport());
    }
}
