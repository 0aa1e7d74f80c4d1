package dev.packbase.http;

/**
 * The terms a route's errors are answered in ({@link ErrorLadder}): packbase's JSON (CONTRACT §4) for the API,
 * tarballs and every other path, Git's own for the Git layer, whose clients never read JSON, and a page for
 * the web face, whose readers are people in a browser.
 */
enum Dialect {
    JSON,
    GIT,
    HTML
}
