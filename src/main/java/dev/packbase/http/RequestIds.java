package dev.packbase.http;

import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives each request its {@link RequestId}: the {@code X-Request-Id} a trusted proxy
 * ({@code PACKBASE_TRUSTED_PROXIES}) sent, when it is well formed (1 to {@value #MAX_LENGTH} of
 * {@code A-Z a-z 0-9 . _ : -}, so it is safe in a header, a log line and JSON), else a fresh random one of 32
 * hex digits. A client that is not a trusted proxy cannot choose the id another system logs.
 */
final class RequestIds {
    static final int MAX_LENGTH = 64;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Set<String> trustedProxies;

    RequestIds(Set<String> trustedProxies) {
        this.trustedProxies = Set.copyOf(trustedProxies);
    }

    /** The id of a request from {@code remoteAddress} that carried {@code header} (null when absent). */
    RequestId assign(String remoteAddress, String header) {
        if (header != null && remoteAddress != null && trustedProxies.contains(remoteAddress) && wellFormed(header)) {
            return new RequestId(header);
        }
        return fresh();
    }

    static boolean wellFormed(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits: unique enough to find one request in any log, and cheap (no secure random needed). */
    private static RequestId fresh() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long a = random.nextLong();
        long b = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
        }
        return new RequestId(new String(out));
    }
}
