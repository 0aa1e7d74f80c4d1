package dev.packbase.git;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answers of one package view that depend only on its refs and on the request's bytes (the
 * capability or ref advertisement, a v2 {@code ls-refs}), kept once JGit gave them, so that the same
 * request from the next client of the same kind is a copy. A view's refs never change (a new tag set
 * makes a new view), so a kept answer is never stale. Clients of one version send the same bytes;
 * a few dozen kinds of request cover them, and past that answers are no longer kept.
 */
final class RefAnswers {
    static final int MAX_KEPT = 64;

    /** What was asked: {@code advertisement} or {@code ls-refs}, the Git-Protocol header, and the body. */
    private record Request(String kind, String gitProtocol, String body) {
        Request(String kind, String gitProtocol, byte[] body) {
            this(kind, gitProtocol == null ? "" : gitProtocol, new String(body, StandardCharsets.ISO_8859_1));
        }
    }

    private final Map<Request, byte[]> kept = new ConcurrentHashMap<>();

    /** The kept answer, or null. */
    byte[] get(String kind, String gitProtocol, byte[] body) {
        return kept.get(new Request(kind, gitProtocol, body));
    }

    /** Keeps {@code answer} (a complete, successful one) unless MAX_KEPT answers are kept already. */
    void keep(String kind, String gitProtocol, byte[] body, byte[] answer) {
        if (kept.size() < MAX_KEPT) {
            kept.putIfAbsent(new Request(kind, gitProtocol, body), answer);
        }
    }

    int size() {
        return kept.size();
    }
}
