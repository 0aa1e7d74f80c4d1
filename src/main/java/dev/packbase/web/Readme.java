package dev.packbase.web;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Code;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Image;
import org.commonmark.node.Node;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;

/**
 * A package's README as the web face shows it. Markdown is CommonMark with GFM tables; whatever HTML comes
 * out (the README's own raw HTML included) then passes OWASP's sanitiser, which keeps a short list of
 * elements and resolves every link and image through {@link Links}: relative ones to the tag's own files,
 * absolute http(s) links kept (marked nofollow), images from other hosts dropped (the pages fetch nothing
 * from another host), every other scheme dropped. Headings move two levels down, below the page's own.
 */
final class Readme {
    /** README names in order of preference, compared without case. */
    private static final List<String> NAMES = List.of("readme.md", "readme.markdown", "readme", "readme.txt",
            "readme.rst", "readme.adoc");
    private static final int SUMMARY_CHARS = 240;

    /** Where the README's links and images go; null drops the link or image. */
    interface Links {
        String href(String target);

        String imageSrc(String target);
    }

    private final Parser parser = Parser.builder().extensions(List.of(TablesExtension.create())).build();
    private final HtmlRenderer renderer = HtmlRenderer.builder().extensions(List.of(TablesExtension.create()))
            .attributeProviderFactory(context -> (node, tag, attributes) -> {
                // GFM writes align="…", which HTML made obsolete; a class says the same to the stylesheet.
                if (node instanceof TableCell && attributes.containsKey("align")) {
                    attributes.put("class", "align-" + attributes.remove("align"));
                }
            }).build();

    /** The README among the top-level file names, if there is one. */
    static Optional<String> find(List<String> topLevelFiles) {
        for (String wanted : NAMES) {
            for (String name : topLevelFiles) {
                if (name.toLowerCase(Locale.ROOT).equals(wanted)) {
                    return Optional.of(name);
                }
            }
        }
        return Optional.empty();
    }

    static boolean isMarkdown(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".md") || n.endsWith(".markdown");
    }

    /** The README as safe HTML. */
    String render(String name, String text, Links links) {
        if (!isMarkdown(name)) {
            return "<pre class=\"readme-text\">" + Html.esc(text) + "</pre>";
        }
        return policy(links).sanitize(renderer.render(parser.parse(text)));
    }

    /** The first paragraph of prose, as plain text of at most a few sentences; empty when there is none. */
    String summary(String name, String text) {
        String plain = isMarkdown(name) ? firstMarkdownParagraph(text) : firstTextParagraph(text);
        plain = plain.replaceAll("\\s+", " ").strip();
        plain = plain.codePoints().filter(c -> !Html.bidiControl(c) && !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        if (plain.length() <= SUMMARY_CHARS) {
            return plain;
        }
        int cut = plain.lastIndexOf(' ', SUMMARY_CHARS);
        return plain.substring(0, cut > SUMMARY_CHARS / 2 ? cut : SUMMARY_CHARS) + "…";
    }

    private String firstMarkdownParagraph(String text) {
        for (Node n = parser.parse(text).getFirstChild(); n != null; n = n.getNext()) {
            if (n instanceof Paragraph) {
                StringBuilder out = new StringBuilder();
                collectText(n, out);
                // A paragraph of badges (images, links around images) says nothing.
                if (out.toString().codePoints().filter(Character::isLetter).count() >= 3) {
                    return out.toString();
                }
            }
        }
        return "";
    }

    private static void collectText(Node node, StringBuilder out) {
        for (Node n = node.getFirstChild(); n != null; n = n.getNext()) {
            if (n instanceof Text t) {
                out.append(t.getLiteral());
            } else if (n instanceof Code c) {
                out.append(c.getLiteral());
            } else if (n instanceof SoftLineBreak || n instanceof HardLineBreak) {
                out.append(' ');
            } else if (!(n instanceof Image)) {
                collectText(n, out);
            }
        }
    }

    private static String firstTextParagraph(String text) {
        for (String block : text.split("\\R\\s*\\R")) {
            String b = block.strip();
            if (b.codePoints().filter(Character::isLetter).count() >= 3 && !b.chars().allMatch(c -> "=-#*~ \n\r".indexOf(c) >= 0)) {
                // A title underlined with === or --- is not the summary.
                String[] lines = b.split("\\R");
                if (lines.length == 2 && lines[1].strip().matches("[=\\-]{3,}")) {
                    continue;
                }
                return b;
            }
        }
        return "";
    }

    private static final Set<String> HEADINGS = Set.of("h1", "h2", "h3", "h4", "h5", "h6");

    private static PolicyFactory policy(Links links) {
        return new HtmlPolicyBuilder()
                .allowElements("p", "ul", "ol", "li", "blockquote", "pre", "code", "em", "strong", "del", "s", "hr", "br",
                        "table", "thead", "tbody", "tr", "th", "td", "kbd", "sup", "sub", "dl", "dt", "dd", "details",
                        "summary", "b", "i", "span", "div")
                .allowElements((element, attrs) -> {
                    int level = element.charAt(1) - '0';
                    return "h" + Math.min(6, level + 2);
                }, HEADINGS.toArray(new String[0]))
                .allowElements("a")
                .allowAttributes("href").matching((element, attribute, value) -> links.href(value)).onElements("a")
                .requireRelsOnLinks("nofollow", "noopener", "noreferrer")
                .allowElements((element, attrs) -> {
                    // An image whose source was dropped is dropped with it; one without alt text gets an empty one.
                    if (!attrs.contains("src")) {
                        return null;
                    }
                    if (!attrs.contains("alt")) {
                        attrs.add("alt");
                        attrs.add("");
                    }
                    return element;
                }, "img")
                .allowAttributes("src").matching((element, attribute, value) -> links.imageSrc(value)).onElements("img")
                .allowAttributes("alt", "title", "width", "height").onElements("img")
                .allowAttributes("title").globally()
                .allowAttributes("class").matching(true, "align-left", "align-center", "align-right").onElements("th", "td")
                .allowAttributes("start").onElements("ol")
                .allowAttributes("open").onElements("details")
                .allowUrlProtocols("http", "https", "mailto")
                .toFactory();
    }

    /**
     * Resolves {@code target} (a link of the top-level README) inside the tarball; null when it leaves the
     * tarball or is not a path.
     */
    static String resolve(String target) {
        String path = target;
        int cut = indexOfAny(path, "?#");
        if (cut >= 0) {
            path = path.substring(0, cut);
        }
        try {
            path = java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null; // a malformed escape ("100%") names no file
        }
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** Whether a link target names another place (a scheme, or {@code //host}) rather than a file here. */
    static boolean absolute(String target) {
        return target.startsWith("//") || target.matches("(?s)[A-Za-z][A-Za-z0-9+.-]*:.*");
    }

    static boolean webUrl(String target) {
        String t = target.toLowerCase(Locale.ROOT);
        return t.startsWith("http://") || t.startsWith("https://");
    }
}
