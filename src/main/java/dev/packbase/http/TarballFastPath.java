package dev.packbase.http;

import dev.packbase.http.fastpath.FastPath;
import dev.packbase.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;

/**
 * The webapp's side of the launcher's fast path: the answer to a GET or HEAD of a tarball that is in the cache,
 * found by the same {@link TarballResolver} and decided by the same {@link TarballAnswer} as the servlet path.
 * Anything else (another path or method, a tarball not in memory, every error) is left to the servlet. An answer
 * carries its request id and is counted in the metrics like the servlet's answers; its duration ends when the
 * answer is decided, before the launcher writes it (the write does not block).
 */
final class TarballFastPath implements FastPath {
    private final TarballResolver resolver;
    private final TarballSender sender;
    private final RequestIds ids;
    private final Metrics metrics;

    TarballFastPath(TarballResolver resolver, TarballSender sender, RequestIds ids, Metrics metrics) {
        this.resolver = resolver;
        this.sender = sender;
        this.ids = ids;
        this.metrics = metrics;
    }

    @Override
    public Answer answer(Request request) {
        long start = System.nanoTime();
        boolean head = request.method().equals("HEAD");
        if (!head && !request.method().equals("GET")) {
            return null;
        }
        String path = request.path();
        boolean byTag = path.startsWith("/p/");
        if (!byTag && !path.startsWith("/h/")) {
            return null;
        }
        Answer cached;
        try {
            TarballResolver.Target t = byTag ? resolver.byTag(path.substring(2), path) : resolver.byHash(path.substring(2));
            cached = t.kind() == TarballResolver.Kind.TARBALL ? sender.cachedAnswer(t, request.headers(), head) : null;
        } catch (RuntimeException | java.io.IOException e) {
            return null; // the servlet resolves again and answers the error
        }
        if (cached == null) {
            return null;
        }
        RequestId id = ids.assign(request.remoteAddress(), request.headers().apply(RequestId.HEADER));
        List<Header> headers = new ArrayList<>(cached.headers().size() + 1);
        headers.add(new Header(RequestId.HEADER, id.value()));
        headers.addAll(cached.headers());
        Metrics.Route route = byTag ? Metrics.Route.TARBALL : Metrics.Route.HASH;
        metrics.request(route, cached.status(), System.nanoTime() - start,
                cached.body() == null ? 0 : cached.body().remaining());
        return new Answer(cached.status(), headers, cached.body(), route.label());
    }
}
