package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.testing.Browser;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.WebFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web face in a real Chromium: hostile READMEs, files and images never run anything (every piece of
 * {@link WebFixtures}' app would set {@code window.pwned}), direction controls never reach the text, the
 * search filters as you type, commands copy, the keyboard reaches everything in order, and both colour
 * schemes keep readable contrast. The console must stay free of errors, CSP reports included.
 */
class WebFaceBrowserIT {
    @TempDir
    static Path dir;

    static WebFixtures fixtures;
    static TestServer server;
    static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        fixtures = WebFixtures.start(dir);
        server = fixtures.server;
        browser = Browser.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        fixtures.close();
    }

    private static String url(String path) {
        return server.uri(path).toString();
    }

    @Test
    void hostileContentNeverRunsAndNothingBreaksThePolicy() {
        browser.consoleErrors();
        // The SVG opened directly is a sandboxed document: the browser itself says it blocked its scripts.
        browser.open(url("/app/v1.0.0/-/docs/evil.svg?raw"));
        assertNull(browser.js("return window.pwned === undefined ? null : String(window.pwned)"));
        List<String> blocked = browser.consoleErrors();
        assertFalse(blocked.isEmpty());
        assertTrue(blocked.stream().allMatch(m -> m.contains("Blocked script execution") && m.contains("sandboxed")),
                blocked.toString());
        for (String path : List.of("/app", "/app/v1.0.0/-/page.html", "/app/v1.0.0/-/", "/app/v1.0.0/-/docs/evil.svg",
                "/app/commit/" + fixtures.appPinnedCommit)) {
            browser.open(url(path));
            assertNull(browser.js("return window.pwned === undefined ? null : String(window.pwned)"), path);
        }
        browser.open(url("/app"));
        // The README's own image arrived from the tarball; the one from another host was never asked for.
        Boolean logoLoaded = (Boolean) browser.js("const i = [...document.images].find(i => i.src.includes('logo.png'));"
                + " return !!i && i.complete && i.naturalWidth === 8");
        assertTrue(logoLoaded, "the README's image from the tarball is shown");
        assertEquals(0L, browser.js("return performance.getEntriesByType('resource')"
                + ".filter(e => !e.name.startsWith(location.origin)).length"), "nothing from another host");
        assertFalse(browser.driver().getPageSource().contains("onerror="), "no handler reached the DOM");
        assertEquals(0L, browser.js("return [...document.querySelectorAll('a[href], img[src]')].filter(e =>"
                + " !['http:', 'https:', 'mailto:'].includes(new URL(e.href || e.src, location.href).protocol)).length"),
                "every link and image is http(s) or mailto");
        browser.open(url("/"));
        browser.open(url("/greet"));
        assertEquals(List.of(), browser.consoleErrors(), "no console errors, no CSP violation");
    }

    @Test
    void directionControlsInFileNamesAreShownNotObeyed() {
        browser.open(url("/app/v1.0.0/-/src"));
        String text = (String) browser.js("return document.body.innerText");
        assertFalse(text.contains("\u202E"), "the control never reaches the text");
        assertTrue(text.contains("evil<U+202E>txt.zig"), text);
        browser.driver().findElement(By.linkText("evil<U+202E>txt.zig")).click();
        browser.waitUntil("the file page", () -> browser.driver().getCurrentUrl().contains("%E2%80%AE"));
        assertTrue(((String) browser.js("return document.querySelector('h1').innerText")).contains("<U+202E>"));
    }

    @Test
    void theIndexFiltersAsYouTypeWithTheServersOwnResults() {
        browser.open(url("/"));
        WebElement q = browser.driver().findElement(By.id("q"));
        q.sendKeys("hostile");
        browser.waitUntil("only app to be listed", () -> rows().equals(List.of("app")));
        assertTrue(browser.driver().getCurrentUrl().endsWith("/?q=hostile"), browser.driver().getCurrentUrl());
        q.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        browser.waitUntil("every package again", () -> rows().equals(List.of("app", "greet")));
        // Submitting works too (and is all there is without JavaScript).
        q.sendKeys("greet 1.1", Keys.ENTER);
        browser.waitUntil("the submitted search", () -> browser.driver().getCurrentUrl().contains("q=greet+1.1"));
    }

    private static List<String> rows() {
        return browser.driver().findElements(By.cssSelector("table.packages tbody th a")).stream()
                .map(WebElement::getText).toList();
    }

    @Test
    void commandsCopyToTheClipboard() {
        browser.driver().executeCdpCommand("Browser.grantPermissions", Map.of("origin", url("/").replaceAll("/$", ""),
                "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        browser.open(url("/greet"));
        WebElement button = browser.driver().findElement(By.cssSelector("button[data-copy='zon-modern']"));
        assertTrue(button.isDisplayed(), "the copy button appears where JavaScript runs");
        button.click();
        browser.waitUntil("the button to say Copied", () -> button.getText().equals("Copied"));
        Object copied = browser.driver().executeAsyncScript("navigator.clipboard.readText().then(arguments[0])");
        assertTrue(String.valueOf(copied).contains(fixtures.greetHash), String.valueOf(copied));
    }

    @Test
    void theKeyboardReachesTheSkipLinkTheSearchAndThePackagesInOrder() {
        browser.open(url("/"));
        WebElement body = browser.driver().findElement(By.tagName("body"));
        body.sendKeys(Keys.TAB);
        assertEquals("Skip to content", browser.driver().switchTo().activeElement().getText());
        assertTrue(browser.driver().switchTo().activeElement().isDisplayed(), "the skip link shows when focused");
        browser.driver().switchTo().activeElement().sendKeys(Keys.TAB);
        assertEquals("packbase", browser.driver().switchTo().activeElement().getText());
        browser.driver().switchTo().activeElement().sendKeys(Keys.TAB);
        assertEquals("q", browser.driver().switchTo().activeElement().getAttribute("id"));
        assertEquals("en", browser.js("return document.documentElement.lang"));
        assertEquals("Search packages", browser.js("return document.getElementById('q').labels[0].innerText"));
    }

    @Test
    void bothColourSchemesFollowTheSystemAndKeepContrast() {
        for (String scheme : List.of("light", "dark")) {
            browser.colorScheme(scheme);
            browser.open(url("/greet"));
            assertEquals(scheme.equals("dark"), browser.js("return matchMedia('(prefers-color-scheme: dark)').matches"));
            String bg = (String) browser.js("return getComputedStyle(document.body).backgroundColor");
            assertEquals(scheme.equals("dark") ? "rgb(13, 17, 23)" : "rgb(255, 255, 255)", bg, scheme);
            for (String selector : List.of("body", "main a", ".muted", ".health.ok", "thead th", "footer.site")) {
                String fg = (String) browser.js("const e = document.querySelector(arguments[0]);"
                        + " return e ? getComputedStyle(e).color : null", selector);
                if (fg == null) {
                    continue;
                }
                double ratio = contrast(fg, bg);
                assertTrue(ratio >= 4.5, scheme + " " + selector + " " + fg + " on " + bg + ": " + ratio);
            }
        }
        browser.colorScheme("light");
    }

    /** The WCAG contrast ratio of two {@code rgb(r, g, b)} colours. */
    static double contrast(String a, String b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(String rgb) {
        String[] parts = rgb.replaceAll("[^0-9,]", "").split(",");
        double[] c = new double[3];
        for (int i = 0; i < 3; i++) {
            double v = Integer.parseInt(parts[i]) / 255.0;
            c[i] = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    }
}
