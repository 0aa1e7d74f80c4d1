package dev.packbase.http;

import dev.packbase.http.fastpath.FastPath;

/**
 * The webapp's side of the launcher's fast path: the answer to a GET or HEAD of a tarball that is in the cache,
 * found by the same {@link TarballResolver} and decided by the same {@link TarballAnswer} as the servlet path.
 * Anything else (another path or method, a tarball not in memory, every error) is left to the servlet.
 */
final class TarballFastPath implements FastPath {
    private final TarballResolver resolver;
    private final TarballSender sender;

    TarballFastPath(TarballResolver resolver, TarballSender sender) {
        this.resolver = resolver;
        this.sender = sender;
    }

    @Override
    public Answer answer(Request request) {
        boolean head = request.method().equals("HEAD");
        if (!head && !request.method().equals("GET")) {
            return null;
        }
        String path = request.path();
        boolean byTag = path.startsWith("/p/");
        if (!byTag && !path.startsWith("/h/")) {
            return null;
        }
        try {
            TarballResolver.Target t = byTag ? resolver.byTag(path.substring(2), path) : resolver.byHash(path.substring(2));
            return t.kind() == TarballResolver.Kind.TARBALL ? sender.cachedAnswer(t, request.headers(), head) : null;
        } catch (RuntimeException | java.io.IOException e) {
            return null; // the servlet resolves again and answers the error
        }
    }
}
