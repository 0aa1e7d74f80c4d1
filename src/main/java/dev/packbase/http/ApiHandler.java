package dev.packbase.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.domain.ZigSnippets;
import dev.packbase.ErrorCode;
import dev.packbase.audit.AuditAction;
import dev.packbase.audit.AuditEntry;
import dev.packbase.audit.AuditTrail;
import dev.packbase.config.Tokens;
import dev.packbase.config.TokensFile;
import dev.packbase.storage.StorageUnavailableException;
import dev.packbase.PackbaseException;
import dev.packbase.closure.Bundler;
import dev.packbase.closure.Closure;
import dev.packbase.closure.ClosureService;
import dev.packbase.closure.ZonRewriter;
import dev.packbase.config.Config;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PublicPaths;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.ZigInfo;
import dev.packbase.domain.UpdateState;
import dev.packbase.update.UpdateService;
import dev.packbase.ingest.FetchResult;
import dev.packbase.ingest.FetchService;
import dev.packbase.state.PackageState;
import dev.packbase.state.ZigHashes;
import dev.packbase.storage.Storage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON API under {@code /api/} (CONTRACT §4): fetch, list, info and status. Answers come from
 * the registry's in-memory state and persisted snapshot; only fetch does work. Every call that changes state
 * (fetch, closure, bundle, update) writes its audit line before its answer is sent.
 */
final class ApiHandler implements Routes.Handler {
    private final Config config;
    private final PackageState registry;
    private final FetchService fetches;
    private final Storage storage;
    private final UpdateService update;
    private final ZonRewriter rewriter;
    private final ClosureService closures;
    private final Bundler bundler;
    private final ZigHashes hashes;
    private final PublicUrls publicUrls;
    private final JsonBodies bodies;
    private final ObjectMapper json;
    private final TokensFile tokens;
    private final AuditTrail audit;
    private volatile ListBody listBody;
    private volatile byte[] openApi;
    private static final String OPENAPI_RESOURCE = "/openapi.json";

    ApiHandler(Config config, PackageState registry, FetchService fetches, UpdateService update, ZonRewriter rewriter,
            ClosureService closures, Bundler bundler, ZigHashes hashes, Storage storage, JsonBodies bodies,
            PublicUrls publicUrls, TokensFile tokens, AuditTrail audit) {
        this.tokens = tokens;
        this.audit = audit;
        this.rewriter = rewriter;
        this.hashes = hashes;
        this.closures = closures;
        this.bundler = bundler;
        this.config = config;
        this.bodies = bodies;
        this.json = bodies.mapper();
        this.registry = registry;
        this.fetches = fetches;
        this.update = update;
        this.storage = storage;
        this.publicUrls = publicUrls;
    }

    /** {@code /api/*}: the rest of the path names the endpoint. */
    @Override
    public void handle(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws Exception {
        String path = match.rest();
        if (path.equals("/fetch")) {
            Methods.require(req, resp, Methods.POST);
            fetch(req, resp);
        } else if (path.equals("/list")) {
            Methods.require(req, resp, Methods.READ);
            list(req, resp);
        } else if (path.equals("/status")) {
            Methods.require(req, resp, Methods.READ);
            status(resp);
        } else if (path.startsWith("/info/") && path.indexOf('/', 6) < 0 && path.length() > 6) {
            Methods.require(req, resp, Methods.READ);
            info(req, resp, path.substring(6));
        } else if (path.equals("/closure")) {
            Methods.require(req, resp, Methods.POST);
            closure(req, resp);
        } else if (path.equals("/bundle")) {
            Methods.require(req, resp, Methods.POST);
            bundle(req, resp);
        } else if (path.startsWith("/closure/")) {
            Methods.require(req, resp, Methods.READ);
            storedClosure(resp, path.substring("/closure/".length()));
        } else if (path.equals("/rewrite")) {
            Methods.require(req, resp, Methods.POST);
            rewrite(req, resp);
        } else if (path.equals("/update")) {
            Methods.require(req, resp, Methods.POST);
            update(req, resp);
        } else if (path.equals("/audit")) {
            Methods.require(req, resp, Methods.READ);
            auditLog(req, resp);
        } else if (path.equals("/openapi.json")) {
            Methods.require(req, resp, Methods.READ);
            bodies.writeBytes(resp, openApi());
        } else {
            throw Methods.noRoute(req);
        }
    }

    private void fetch(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!storage.writable()) {
            throw new PackbaseException(ErrorCode.READ_ONLY,
                    "this node serves a read-only root; fetch on the central node");
        }
        AuditTrail.Call call = audit.begin(AuditAction.FETCH, who(req));
        Map<String, Object> out = audited(call, () -> {
            call.token(authorize(req, resp));
            JsonNode body = readJsonObject(req);
            String url = textField(body, "url", true);
            String name = textField(body, "name", false);
            call.asked(AuditEntry.Asked.url(url, name));
            FetchResult result = fetches.fetch(url, name);
            return new Done<>(fetchBody(req, result),
                    AuditEntry.Changed.fetch(result.packageName(), result.created(), result.tarballsCreated()));
        });
        bodies.write(resp, HttpServletResponse.SC_OK, out);
    }

    private static Map<String, Object> fetchBody(HttpServletRequest req, FetchResult result) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "ok");
        out.put("package", result.packageName());
        PackageName pkg = new PackageName(result.packageName());
        out.put("tag", result.tag());
        out.put("url", result.tag() == null ? null : PublicUrls.inContext(req, PublicPaths.tarball(pkg, result.tag())));
        out.put("tarballs_created", result.tarballsCreated());
        out.put("tarballs_present", result.tarballsPresent());
        out.put("tarball_count", result.tarballCount());
        out.put("upstream_url", result.upstreamUrl());
        out.put("created_tags", result.created());
        out.put("warnings", result.warnings());
        // Tags upstream could not deliver this time; the others landed (none landing is a 502).
        out.put("failed_tags", result.failedTags());
        if (result.pinned() != null) {
            // What the URL's fragment named, where it is served now.
            FetchResult.Pinned p = result.pinned();
            out.put("pinned", Map.of(p.kind().segment(), p.name(),
                    "url", PublicUrls.inContext(req, PublicPaths.tarball(pkg, p.kind(), p.name()))));
        }
        return out;
    }

    /** A state-changing call's answer and what it changed, for its audit line. */
    private record Done<T>(T answer, AuditEntry.Changed changed) {
    }

    @FunctionalInterface
    private interface AuditedWork<T> {
        Done<T> run() throws IOException;
    }

    /**
     * Runs a state-changing call and writes its audit line, whatever the outcome, before the answer: a client that
     * got an answer can find the line (the error ladder answers failures after this has rethrown them).
     */
    private static <T> T audited(AuditTrail.Call call, AuditedWork<T> work) throws IOException {
        Done<T> done;
        try {
            done = work.run();
        } catch (PackbaseException e) {
            call.failed(e.code().code(), e.getMessage());
            throw e;
        } catch (IOException | RuntimeException e) {
            call.failed(StorageUnavailableException.in(e).isPresent() ? ErrorCode.STORAGE_UNAVAILABLE.code()
                    : ErrorCode.INTERNAL_ERROR.code(), e.getClass().getSimpleName() + ": " + e.getMessage());
            throw e;
        }
        call.succeeded(done.changed());
        return done.answer();
    }

    /**
     * The OpenAPI 3.1 description of these endpoints, a resource of the WAR kept true by tools/schemathesis.sh;
     * read at its first request.
     */
    private byte[] openApi() throws IOException {
        byte[] doc = openApi;
        if (doc == null) {
            try (InputStream in = ApiHandler.class.getResourceAsStream(OPENAPI_RESOURCE)) {
                if (in == null) {
                    throw new IOException(OPENAPI_RESOURCE + " is missing from the WAR");
                }
                doc = in.readAllBytes();
            }
            openApi = doc;
        }
        return doc;
    }

    /** The caller as the audit log names it, before its token is known. */
    private AuditTrail.Who who(HttpServletRequest req) {
        // No request id is assigned on this path; the access-log layer that assigns one passes it here.
        return AuditTrail.Who.http(Tokens.ANONYMOUS, publicUrls.clientAddress(req), RequestId.of(req).map(RequestId::value).orElse(null));
    }

    /**
     * The name of the caller's token where one is needed: 401 without an Authorization header, 403 for a token
     * that is not one of the named tokens in force; {@code anonymous} when auth is off.
     */
    private String authorize(HttpServletRequest req, HttpServletResponse resp) {
        Tokens current = tokens.current();
        if (!current.required()) {
            return Tokens.ANONYMOUS;
        }
        String header = req.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"packbase\"");
            throw new PackbaseException(ErrorCode.UNAUTHORIZED, "missing Authorization header: send 'Bearer <token>'");
        }
        return current.identify(bearer(header)).orElseThrow(
                () -> new PackbaseException(ErrorCode.FORBIDDEN, "invalid token in Authorization header"));
    }

    /** Where no token is needed (update): the name of a valid presented one, else {@code anonymous}. */
    private String identify(HttpServletRequest req) {
        String header = req.getHeader("Authorization");
        return header == null ? Tokens.ANONYMOUS : tokens.current().identify(bearer(header)).orElse(Tokens.ANONYMOUS);
    }

    private static String bearer(String header) {
        return header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    }

    /** {@code POST /api/update}: public (CONTRACT §4), attributed to a token when one is presented. */
    private void update(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AuditTrail.Call call = audit.begin(AuditAction.UPDATE, who(req)).token(identify(req));
        UpdateState.Result result = audited(call, () -> {
            UpdateState.Result r = update.update();
            return new Done<>(r, AuditEntry.Changed.update(r.packagesSynced(), r.tarballsCreated()));
        });
        bodies.write(resp, HttpServletResponse.SC_OK, result);
    }

    /**
     * {@code GET /api/audit?since=<unix seconds>}: this node's audit lines from then on, as they are in the log
     * ({@code application/x-ndjson}), for token holders only; with no token configured, nobody holds one.
     */
    private void auditLog(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!tokens.current().required()) {
            throw new PackbaseException(ErrorCode.FORBIDDEN, "the audit log is shown to token holders only, and no "
                    + "token is configured (PACKBASE_TOKEN, PACKBASE_TOKENS_FILE)");
        }
        authorize(req, resp);
        String since = QueryParameters.get(req, "since");
        long from;
        if (since == null) {
            from = 0;
        } else if (since.matches("[0-9]{1,18}")) {
            from = Long.parseLong(since);
        } else {
            throw new PackbaseException(ErrorCode.BAD_REQUEST, "query parameter since must be Unix seconds (a "
                    + "non-negative integer), not '" + since + "'", Map.of("parameter", "since"), null);
        }
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("application/x-ndjson");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        java.io.Writer out = resp.getWriter();
        try {
            audit.since(from, line -> {
                try {
                    out.write(line);
                    out.write('\n');
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        out.flush();
    }

    /**
     * {@code POST /api/closure}: mirrors the dependency tree of {@code {"zon": …}}, {@code {"url": …}} or
     * {@code {"package": …, "tag": …}} (or {@code "commit"}), under the same token rule as fetch.
     */
    private void closure(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AuditTrail.Call call = audit.begin(AuditAction.CLOSURE, who(req));
        Closure closure = audited(call, () -> {
            Closure c = mirrorClosure(req, resp, call);
            return new Done<>(c, mirrored(c));
        });
        bodies.write(resp, HttpServletResponse.SC_OK, closureBody(closure));
    }

    /** What a closure holds after it: {@code name@hash} (or the URL) of each {@code ok} node. */
    private static AuditEntry.Changed mirrored(Closure closure) {
        return AuditEntry.Changed.closure(closure.nodes().stream().filter(n -> n.status() == Closure.Status.OK)
                .map(n -> (n.name() == null ? n.url() : n.name())
                        + (n.computedHash() == null ? "" : "@" + n.computedHash()))
                .toList());
    }

    /**
     * {@code POST /api/bundle}: the same body as {@code /api/closure}; a complete closure is answered as a
     * {@code .tar.gz} of {@code zig-pkg/<hash>/…}, any other with a 409 naming the nodes that are not ok.
     */
    private void bundle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AuditTrail.Call call = audit.begin(AuditAction.BUNDLE, who(req));
        Closure closure = audited(call, () -> {
            Closure c = mirrorClosure(req, resp, call);
            if (!c.complete()) {
                List<Closure.Node> failing = c.failing();
                throw new PackbaseException(ErrorCode.CONFLICT, failing.size() + " package(s) of the closure are not "
                        + "mirrored (first: " + (failing.get(0).name() == null ? failing.get(0).url()
                        : failing.get(0).name()) + ": " + failing.get(0).status().json() + "); see nodes",
                        Map.of("nodes", failing), null);
            }
            return new Done<>(c, mirrored(c));
        });
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("application/gzip");
        resp.setHeader("Content-Disposition", "attachment; filename=\"zig-pkg.tar.gz\"");
        bundler.write(closure, resp.getOutputStream());
    }

    /** The closure a request names: mirrored on a writable root, from what is held on a read-only one. */
    private Closure mirrorClosure(HttpServletRequest req, HttpServletResponse resp, AuditTrail.Call call)
            throws IOException {
        call.token(authorize(req, resp));
        JsonNode body = readJsonObject(req);
        String zon = textField(body, "zon", false);
        String url = textField(body, "url", false);
        String pkg = textField(body, "package", false);
        Closure closure;
        if (zon != null) {
            byte[] manifest = zon.getBytes(StandardCharsets.UTF_8);
            call.asked(AuditEntry.Asked.zon(java.util.HexFormat.of().formatHex(sha256(manifest))));
            closure = closures.ofManifest(manifest);
        } else if (url != null) {
            call.asked(AuditEntry.Asked.url(url, null));
            closure = closures.ofUrl(url);
        } else if (pkg != null && PackageName.isValid(pkg)) {
            String tag = textField(body, "tag", false);
            String commit = textField(body, "commit", false);
            call.asked(AuditEntry.Asked.version(pkg, tag, commit));
            if ((tag == null) == (commit == null)) {
                throw PackbaseException.badRequest("with \"package\", give one of \"tag\" or \"commit\"");
            }
            closure = tag != null ? closures.ofVersion(new PackageName(pkg), RefKind.TAG, tag)
                    : closures.ofVersion(new PackageName(pkg), RefKind.COMMIT, commit);
        } else {
            throw PackbaseException.badRequest("expected {\"zon\": \"<build.zig.zon>\"}, {\"url\": \"git+https://…#<ref>\"}"
                    + " or {\"package\": \"<pkg>\", \"tag\": \"<tag>\"}");
        }
        return closure;
    }

    /** {@code GET /api/closure/<pkg>/<tag>} or {@code /api/closure/<pkg>/commit/<id>}: the stored closure. */
    private void storedClosure(HttpServletResponse resp, String rest) throws IOException {
        String[] parts = rest.split("/", -1);
        boolean commit = parts.length == 3 && parts[1].equals(RefKind.COMMIT.segment());
        if (!(parts.length == 2 || commit) || !PackageName.isValid(parts[0]) || parts[parts.length - 1].isEmpty()) {
            throw PackbaseException.notFound("expected /api/closure/<package>/<tag> or /api/closure/<package>/commit/<id>");
        }
        bodies.write(resp, HttpServletResponse.SC_OK, closureBody(closures.stored(new PackageName(parts[0]),
                commit ? RefKind.COMMIT : RefKind.TAG, parts[parts.length - 1])));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static Map<String, Object> closureBody(Closure closure) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "ok");
        out.put("complete", closure.complete());
        out.put("counts", closure.counts());
        out.put("nodes", closure.nodes());
        return out;
    }

    /**
     * {@code POST /api/rewrite}: the body is a build.zig.zon, as it is or as {@code {"zon": "…"}}; the answer
     * is the manifest with its mirrored dependencies pointing here (or, for {@code Accept: application/json},
     * that text and the lists). The dependencies left as they were are named in a header either way.
     */
    private void rewrite(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String type = req.getContentType();
        byte[] zon = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")
                ? textField(readJsonObject(req), "zon", true).getBytes(java.nio.charset.StandardCharsets.UTF_8)
                : readBody(req, "missing body: send a build.zig.zon (curl --data-binary @build.zig.zon)");
        ZonRewriter.Rewritten result = rewriter.rewrite(zon, path -> publicUrls.absolute(req, path));
        // Dependency names are Zig identifiers or @"…" strings: only their printable ASCII goes in a header.
        resp.setHeader("X-Packbase-Unmirrored", String.join(", ", result.left().stream()
                .map(l -> l.dependency().replaceAll("[^\\x21-\\x7e]", "?")).toList()));
        String accept = req.getHeader("Accept");
        if (accept != null && accept.contains("application/json")) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("status", "ok");
            out.put("zon", new String(result.zon(), java.nio.charset.StandardCharsets.UTF_8));
            out.put("rewritten", result.moved());
            out.put("unmirrored", result.left());
            bodies.write(resp, HttpServletResponse.SC_OK, out);
            return;
        }
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("text/plain");
        resp.setCharacterEncoding("UTF-8");
        resp.setContentLength(result.zon().length);
        resp.getOutputStream().write(result.zon());
    }

    private byte[] readBody(HttpServletRequest req, String whenEmpty) throws IOException {
        long max = config.http().maxRequestBytes();
        if (req.getContentLengthLong() > max) {
            throw new PackbaseException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "request body of " + req.getContentLengthLong() + " bytes exceeds the limit of " + max + " bytes");
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (InputStream in = req.getInputStream()) {
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) > 0) {
                buffer.write(chunk, 0, n);
                if (buffer.size() > max) {
                    throw new PackbaseException(ErrorCode.PAYLOAD_TOO_LARGE,
                            "request body exceeds the limit of " + max + " bytes");
                }
            }
        } catch (IOException e) {
            // The client went away or sent a broken body: its failure, not an internal error to log as one.
            throw PackbaseException.badRequest("the request body could not be read: " + e.getMessage());
        }
        if (buffer.size() == 0) {
            throw PackbaseException.badRequest(whenEmpty);
        }
        return buffer.toByteArray();
    }

    private JsonNode readJsonObject(HttpServletRequest req) throws IOException {
        byte[] body = readBody(req, "missing JSON body: expected {\"url\": \"git+https://host/owner/repo\"}");
        // JSON between systems is UTF-8 (RFC 8259 §8.1). Decoding it here, strictly, keeps Jackson from
        // guessing UTF-16/32 from leading NULs and failing with an I/O error (HttpRequestFuzzTest found a 500).
        String text;
        try {
            text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw PackbaseException.badRequest("the request body is not UTF-8 JSON");
        }
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw PackbaseException.badRequest("malformed JSON body: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw PackbaseException.badRequest("the JSON body must be an object like {\"url\": \"git+https://host/owner/repo\"}");
        }
        return node;
    }

    private static String textField(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw PackbaseException.badRequest("missing \"" + field + "\" in the JSON body");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw PackbaseException.badRequest("\"" + field + "\" must be a string, got " + value.getNodeType().toString().toLowerCase());
        }
        return value.asText();
    }

    /**
     * The list body depends on nothing but the registry's names, so it is serialised (and gzipped) once
     * per registry change and then sent as bytes: it grows with the registry (three names per package),
     * and building it per request would cost more than sending it. Clients that accept gzip get the
     * compressed copy, about a fifth of the size.
     */
    private void list(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        PackageState.Summary summary = registry.summary();
        ListBody cached = listBody;
        if (cached == null || cached.summary() != summary) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("packages", summary.all());
            out.put("local_packages", summary.local());
            out.put("registered_packages", summary.registered());
            byte[] body = json.writeValueAsBytes(out);
            cached = new ListBody(summary, body, Gzip.of(body));
            listBody = cached;
        }
        resp.setHeader("Vary", "Accept-Encoding");
        if (Gzip.accepted(req)) {
            resp.setHeader("Content-Encoding", "gzip");
            bodies.writeBytes(resp, cached.gzipped());
        } else {
            bodies.writeBytes(resp, cached.body());
        }
    }

    /** The serialised /api/list answer, plain and gzipped, and the registry state it was built from. */
    private record ListBody(PackageState.Summary summary, byte[] body, byte[] gzipped) {
    }

    private void info(HttpServletRequest req, HttpServletResponse resp, String name) throws IOException {
        PackageInfo info = registry.info(name).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND,
                "package '" + name + "' is not known here", Map.of("package", name), null));
        bodies.write(resp, HttpServletResponse.SC_OK, render(info, req));
    }

    /**
     * The snapshot as served: URLs get the context path, and each tarball its dependency snippet,
     * which needs the public base URL of this request (the stored snapshot is base-independent).
     */
    private PackageInfo render(PackageInfo info, HttpServletRequest req) {
        return info.withTarballs(t -> t.withLinks(PublicUrls.inContext(req, t.url()),
                ZigSnippets.dependency(info.packageName(), t.zig(), publicUrls.absolute(req, t.url()), false),
                dependencies(t.zig(), req)));
    }

    /** The mirror status of a version's declared dependencies, as of now: held when a tarball has the hash. */
    private List<PackageInfo.DependencyStatus> dependencies(ZigInfo zig, HttpServletRequest req) {
        if (zig == null) {
            return List.of();
        }
        return zig.dependencies().stream().map(d -> {
            boolean held = d.hash() != null && hashes.holds(d.hash());
            return new PackageInfo.DependencyStatus(d.name(), d.url(), d.hash(), d.path(), d.lazy(), held,
                    held ? PublicUrls.inContext(req, PublicPaths.byZigHash(d.hash())) : null);
        }).toList();
    }

    private void status(HttpServletResponse resp) throws IOException {
        PackageState.Summary summary = registry.summary();
        List<String> all = summary.all();
        long healthy = summary.healthy();
        UpdateState state = update.state();
        Map<String, Object> updateView = new LinkedHashMap<>();
        updateView.put("state", state.state());
        updateView.put("started_at", state.startedAt());
        updateView.put("updated_at", state.updatedAt());
        updateView.put("source_packages", state.sourcePackages());
        if (state.error() != null) {
            updateView.put("error", state.error());
        }
        if (state.node() != null) {
            updateView.put("node", state.node());
        }
        if (state.lastResult() != null) {
            updateView.put("last_result", state.lastResult());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", "packbase");
        out.put("release", config.release());
        out.put("packages_total", all.size());
        out.put("packages_healthy", healthy);
        out.put("packages_unhealthy", all.size() - healthy);
        out.put("read_only", !storage.writable());
        out.put("update", updateView);
        bodies.write(resp, HttpServletResponse.SC_OK, out);
    }
}
