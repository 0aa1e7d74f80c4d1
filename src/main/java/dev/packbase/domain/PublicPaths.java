package dev.packbase.domain;

/**
 * The paths packbase serves, relative to its context path, built here and nowhere else: {@code http.PublicUrls}
 * turns them into links, the route table and the tarball resolver parse them. They are not storage keys. On a
 * file root the tarball's path and its key name the same file on purpose (a static web server over the root
 * serves the same URLs, see storage.StorageKeys), but a key is storage's name for bytes and may differ in another store.
 */
public final class PublicPaths {
    public static final String API = "/api/";

    private PublicPaths() {
    }

    /** {@code /p/<pkg>/tag/<tag>.tar.gz}: a tag's tarball, the URL a build.zig.zon pins. */
    public static String tarball(PackageName pkg, String tag) {
        return "/p/" + pkg.value() + "/tag/" + tag + ".tar.gz";
    }

    /** {@code /p/<pkg>/tag/<tag>.tar.gz} or {@code /p/<pkg>/commit/<full id>.tar.gz}. */
    public static String tarball(PackageName pkg, RefKind kind, String name) {
        return "/p/" + pkg.value() + "/" + kind.segment() + "/" + name + ".tar.gz";
    }

    /** {@code /h/<zig hash>.tar.gz}: the tarball with that Zig package hash, in either form. */
    public static String byZigHash(String hash) {
        return "/h/" + hash + ".tar.gz";
    }

    /** The pattern of {@link #tarball} for documentation: {@code /p/<package>/tag/<tag>.tar.gz}. */
    public static String tarballPattern() {
        return "/p/<package>/tag/<tag>.tar.gz";
    }

    /** {@code /api/<endpoint>}. */
    public static String api(String endpoint) {
        return API + endpoint;
    }
}
