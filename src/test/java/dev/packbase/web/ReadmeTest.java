package dev.packbase.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.domain.RefKind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** READMEs are data: rendered as CommonMark, sanitised, links resolved to the version's own files. */
class ReadmeTest {
    private final Readme readme = new Readme();
    private final TarballFiles.Listing listing = new TarballFiles.Listing(List.of(
            new TarballFiles.Entry("README.md", TarballFiles.Kind.FILE, 10, null),
            new TarballFiles.Entry("docs", TarballFiles.Kind.DIRECTORY, 0, null),
            new TarballFiles.Entry("docs/guide.md", TarballFiles.Kind.FILE, 10, null),
            new TarballFiles.Entry("logo.svg", TarballFiles.Kind.FILE, 10, null),
            new TarballFiles.Entry("shot one.png", TarballFiles.Kind.FILE, 10, null)));
    private final Readme.Links links = WebFace.links(new Site("/ctx", "https://pb.example/ctx", "1"), "zlib", RefKind.TAG,
            "v1.0.0", listing);

    private String render(String markdown) {
        return readme.render("README.md", markdown, links);
    }

    @Test
    void scriptsHandlersAndDangerousSchemesNeverSurvive() {
        String html = render("""
                # Title

                <script>alert(1)</script>
                <img src="logo.svg" onerror="alert(2)">
                <a href="JaVaScRiPt:alert(3)">a</a>

                [b](javascript:alert(4)) [c](data:text/html,<b>x</b>) [d](vbscript:msgbox)

                <svg onload="alert(5)"><script>alert(6)</script></svg>
                <iframe src="https://evil.example/"></iframe><style>body{display:none}</style>
                <form action="https://evil.example/"><input name="x"></form>
                <p onclick="alert(7)" style="color:red">styled</p>
                """);
        for (String bad : List.of("<script", "onerror", "onload", "onclick", "javascript", "JaVaScRiPt", "data:",
                "<svg", "<iframe", "<style", "<form", "<input", "style=", "alert(", "vbscript")) {
            assertFalse(html.contains(bad), bad + " survived: " + html);
        }
        assertTrue(html.contains("styled"), "the text stays: " + html);
        assertTrue(html.contains("<img src=\"/ctx/zlib/v1.0.0/-/logo.svg?raw\""), html);
    }

    @Test
    void relativeLinksGoToTheVersionsFilesAndOthersAreKeptOrDropped() {
        String html = render("""
                [guide](docs/guide.md#setup) [dir](./docs/) [gone](missing.md) [out](../../etc/passwd)
                [web](https://ziglang.org/) [mail](mailto:dev@example.org) [here](#usage)
                ![shot](shot%20one.png) ![badge](https://img.shields.io/badge.svg) ![nope](missing.png)
                [bad escape](100%zz) ![bad](%E2%.png)
                """);
        assertTrue(html.contains("href=\"/ctx/zlib/v1.0.0/-/docs/guide.md#setup\""), html);
        assertTrue(html.contains("href=\"/ctx/zlib/v1.0.0/-/docs\""), html);
        assertTrue(html.matches("(?s).*href=\"https://ziglang.org/\" rel=\"[a-z ]*nofollow.*"), html);
        assertTrue(html.contains("href=\"mailto:dev&#64;example.org\"") || html.contains("href=\"mailto:dev@example.org\""),
                html);
        assertTrue(html.contains("href=\"#usage\""), html);
        assertTrue(html.contains("src=\"/ctx/zlib/v1.0.0/-/shot%20one.png?raw\""), html);
        assertFalse(html.contains("missing"), "links to files the version lacks are dropped: " + html);
        assertFalse(html.contains("passwd"), html);
        assertFalse(html.contains("shields.io"), "images from other hosts are dropped: " + html);
        assertTrue(html.contains(" gone out"), "their text stays: " + html);
        assertTrue(html.contains("bad escape") && !html.contains("100%zz"), "a malformed escape is no link: " + html);
    }

    @Test
    void headingsMoveBelowThePagesOwnAndTablesKeepTheirAlignmentAsClasses() {
        String html = render("""
                # One
                ## Two
                ##### Five

                | a | b |
                |:-:|--:|
                | 1 | 2 |
                """);
        assertTrue(html.contains("<h3>One</h3>") && html.contains("<h4>Two</h4>") && html.contains("<h6>Five</h6>"), html);
        assertTrue(html.contains("<th class=\"align-center\">a</th>") && html.contains("<td class=\"align-right\">2</td>"),
                html);
        assertFalse(html.contains("align=\""), html);
    }

    @Test
    void plainTextReadmesAreEscapedText() {
        String html = readme.render("README", "<b>not bold</b>\n", links);
        assertEquals("<pre class=\"readme-text\">&lt;b&gt;not bold&lt;/b&gt;\n</pre>", html);
    }

    @Test
    void theSummaryIsTheFirstParagraphOfProse() {
        assertEquals("A fast zlib for Zig, with streaming and no allocations.", readme.summary("README.md", """
                # zlib-lite

                [![ci](https://ci.example/badge.svg)](https://ci.example/) ![zig](https://img.shields.io/zig.svg)

                A fast *zlib* for Zig, with `streaming`
                and no allocations.

                More text.
                """));
        assertEquals("Plain text summary here.", readme.summary("README.txt", "Title\n=====\n\nPlain text\nsummary here.\n"));
        assertEquals("", readme.summary("README.md", "# Only a title\n"));
        String long_ = "word ".repeat(100);
        String cut = readme.summary("README.md", long_);
        assertTrue(cut.length() <= 241 && cut.endsWith("…"), cut);
        assertEquals("evil name", readme.summary("README.md", "evil\u202E name"));
    }

    @Test
    void theReadmeIsFoundByNameWithoutCase() {
        assertEquals(Optional.of("ReadMe.md"), Readme.find(List.of("build.zig", "ReadMe.md", "README")));
        assertEquals(Optional.of("README"), Readme.find(List.of("build.zig", "README")));
        assertEquals(Optional.empty(), Readme.find(List.of("build.zig")));
    }
}
