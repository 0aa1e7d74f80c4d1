package dev.packbase.zig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZonParserTest {

    private static ZonValue parse(String s) throws ZonParseException {
        return ZonParser.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Object java(String s) throws ZonParseException {
        return parse(s).toJava();
    }

    private static ZonParseException failure(String s) {
        return assertThrows(ZonParseException.class, () -> parse(s), s.length() > 200 ? s.substring(0, 200) + "..." : s);
    }

    private static byte[] str(String zon) throws ZonParseException {
        return ((ZonValue.StringLiteral) parse(zon)).bytes();
    }

    // ------------------------------------------------------------------ structure

    @Test
    void structTupleAndEnumLiterals() throws Exception {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("name", ".foo");
        expected.put("paths", List.of("a", "b"));
        expected.put("nested", Map.of("x", BigInteger.ONE));
        expected.put("my name", ".@ q");
        assertEquals(expected, java(".{ .name = .foo, .paths = .{ \"a\", \"b\", }, .nested = .{ .x = 1 },"
                + " .@\"my name\" = .@\"@ q\", }"));
        ZonValue.StructLiteral s = (ZonValue.StructLiteral) parse(".{ .@\"a b\" = .@\"c\\x41\" }");
        assertTrue(s.fields().get(0).quoted());
        ZonValue.EnumLiteral e = (ZonValue.EnumLiteral) s.fields().get(0).value();
        assertEquals("cA", e.name());
        assertTrue(e.quoted());
        assertEquals(List.of(".a", ".b"), java(".{ .a, .b }"), "enum literals in a tuple");
    }

    @Test
    void emptyLiteralIsAnEmptyStruct() throws Exception {
        ZonValue v = parse(".{}");
        assertInstanceOf(ZonValue.StructLiteral.class, v);
        assertTrue(((ZonValue.StructLiteral) v).isEmpty());
        assertEquals(List.of(Map.of(), Map.of()), java(".{ .{}, .{ } }"));
    }

    @Test
    void repeatedFieldsAreKeptAndTheLastWins() throws Exception {
        ZonValue.StructLiteral s = (ZonValue.StructLiteral) parse(".{ .a = 1, .a = 2 }");
        assertEquals(2, s.fields().size());
        assertEquals(BigInteger.TWO, s.get("a").orElseThrow().toJava());
    }

    @Test
    void literalsOfEveryKind() throws Exception {
        assertEquals(Boolean.TRUE, java("true"));
        assertEquals(Boolean.FALSE, java("false"));
        assertEquals(null, java("null"));
        assertEquals(BigInteger.valueOf(97), java("'a'"));
        assertEquals(BigInteger.valueOf(0xe4), java("'ä'"));
        assertEquals(BigInteger.valueOf(0x1F600), java("'\\u{1F600}'"));
        assertEquals(BigInteger.valueOf(0x27), java("'\\''"));
        assertEquals(1500.0, java("1.5e3"));
        assertEquals(-0.25, java("-0.25"));
        assertEquals(Double.POSITIVE_INFINITY, java("inf"));
        assertEquals(Double.NEGATIVE_INFINITY, java("-inf"));
        assertTrue(Double.isNaN((Double) java("nan")));
        assertEquals(12.0, java("0x1.8p3"));
    }

    @Test
    void integersInEveryBaseWithSeparators() throws Exception {
        assertEquals(BigInteger.valueOf(1_000_000), java("1_000_000"));
        assertEquals(new BigInteger("8c736521490b23df", 16), java("0x8c73_6521_490B_23DF"));
        assertEquals(BigInteger.valueOf(0755), java("0o755"));
        assertEquals(BigInteger.valueOf(5), java("0b101"));
        assertEquals(BigInteger.ZERO, java("0"));
        assertEquals(BigInteger.valueOf(-42), java("-42"));
        assertEquals(BigInteger.ONE.shiftLeft(100), java("0x1" + "0".repeat(25)), "big ints are fine");
        ZonValue.IntLiteral neg = (ZonValue.IntLiteral) parse("- 0");
        assertTrue(neg.negated(), "-0 is still a negation");
        assertEquals("-0", neg.literal());
        for (String bad : List.of("0X10", "0123", "0x", "1__0", "1_", "0x_1", "0b102", "0o8", "1e", "0b1.0", "1a")) {
            failure(bad);
        }
    }

    // ------------------------------------------------------------------ strings

    @Test
    void stringEscapes() throws Exception {
        assertEquals("a\nb\rc\td\\e'f\"g", new String(str("\"a\\nb\\rc\\td\\\\e\\'f\\\"g\""), StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {(byte) 0xff, 0, 0x41}, str("\"\\xff\\x00\\x41\""), "\\x gives raw bytes");
        assertEquals("\u00e9\uD83D\uDE00\uDBFF\uDFFF", new String(str("\"\\u{e9}\\u{1F600}\\u{10FFFF}\""),
                StandardCharsets.UTF_8));
        assertEquals("A", new String(str("\"\\u{000041}\""), StandardCharsets.UTF_8));
        assertEquals("ü raw", new String(str("\"ü raw\""), StandardCharsets.UTF_8));
        assertFalse(((ZonValue.StringLiteral) parse("\"\\xff\"")).isValidUtf8());
    }

    @Test
    void multilineStrings() throws Exception {
        String zon = ".{ .s =\n    \\\\first \"line\" \\n not an escape\n    // comments do not split it\n"
                + "    \\\\\n    \\\\third\r\n, .t = 1 }";
        ZonValue.StringLiteral s = (ZonValue.StringLiteral) ((ZonValue.StructLiteral) parse(zon)).get("s").orElseThrow();
        assertTrue(s.multiline());
        assertEquals("first \"line\" \\n not an escape\n\nthird", s.text());
        assertEquals("x", ((ZonValue.StringLiteral) parse("\\\\x")).text(), "at end of file without newline");
    }

    @Test
    void commentsAndWhitespace() throws Exception {
        assertEquals(Map.of("a", BigInteger.ONE), java("// leading\n.{ // after brace\n\t.a = 1, // trailing\r\n}\n// end"));
        assertEquals(Map.of("a", BigInteger.ONE), java("\uFEFF.{ .a = 1 }"), "a BOM is skipped");
        assertEquals(Map.of(), java(".{ //// four slashes is a plain comment\n}"));
    }

    // ------------------------------------------------------------------ errors

    @Test
    void malformedInputGivesLineAndColumn() {
        ZonParseException e = failure(".{\n  .a = \"unterminated\n}");
        assertEquals(new ZonPosition(2, 8), e.position());
        assertTrue(e.getMessage().startsWith("2:8: unterminated string literal"), e.getMessage());

        e = failure(".{ .a = \"bad \\q escape\" }");
        assertEquals(new ZonPosition(1, 15), e.position(), "at the escape character, as Zig reports it");
        assertTrue(e.reason().contains("invalid escape character: 'q'"), e.reason());

        assertTrue(failure("\"\\x4\"").reason().contains("expected hex digit"));
        assertTrue(failure("\"\\u{}\"").reason().contains("empty unicode escape"));
        assertTrue(failure("\"\\u{110000}\"").reason().contains("valid unicode scalar"));
        assertTrue(failure("\"\\u{D800}\"").reason().contains("valid unicode scalar"), "no surrogates in strings");
        assertTrue(failure("\"\\u41\"").reason().contains("expected '{'"));
        assertTrue(failure("\"\\u{41\"").reason().contains("expected hex digit or '}'"));
        assertTrue(failure("\"tab\there\"").reason().contains("invalid byte 0x09"));
        assertTrue(failure("''").reason().contains("empty character"));
        assertTrue(failure("'ab'").reason().contains("exactly one"));
        assertTrue(failure("'a").reason().contains("unterminated"));
        assertTrue(failure("\"a\\").reason().contains("unterminated"));
    }

    @Test
    void syntaxErrors() {
        for (String bad : List.of("", ".{", ".{ .a = 1 .b = 2 }", ".{ .a = }", ".{ .a = 1, \"b\" }", ".{ 1, .a = 2 }",
                ".{ ,}", ".{ .a = 1 } x", ".{ .test = 1 }", ".foo.bar", "1 + 2", "@import(\"x\")", "foo",
                "[_]u8{1}", ".{ .a = -\"x\" }", "/// doc\n.{}", "//! top\n.{}", ".{} // tab\there",
                ".{} // cr\ronly", "\\\\tab\there", "\u0000", ".{ .a = 1 }\u0000", ".{ .@\"x\\q\" = 1 }")) {
            ZonParseException e = failure(bad);
            assertTrue(e.position().line() >= 1 && e.position().column() >= 1, bad);
        }
        assertEquals(new ZonPosition(3, 5), failure(".{\n  .a = 1,\n    ]\n}").position());
    }

    @Test
    void deepNestingIsACleanError() throws Exception {
        String ok = ".{".repeat(ZonParser.MAX_DEPTH) + "}".repeat(ZonParser.MAX_DEPTH);
        parse(ok);
        String deep = ".{".repeat(100_000) + "}".repeat(100_000);
        assertTrue(failure(deep).reason().contains("nesting"));
        String deepTuple = ".{ 1, ".repeat(50_000);
        assertTrue(failure(deepTuple).reason().contains("nesting"));
    }

    @Test
    void valueCountIsBounded() throws Exception {
        parse(".{ " + "1, ".repeat(ZonParser.MAX_VALUES - 1) + "}");
        assertTrue(failure(".{ " + "1, ".repeat(ZonParser.MAX_VALUES) + "}").reason().contains("values"));
    }

    @Test
    void largeButLegalInputsAreLinear() throws Exception {
        int n = ZonParser.MAX_SOURCE_BYTES - 16;
        assertEquals(n - 2, str("\"" + "a".repeat(n - 2) + "\"").length);
        assertEquals(Map.of(), java(".{} //" + "x".repeat(n)));
        assertEquals(n / 2 - 1, ((ZonValue.StringLiteral) parse("\\\\x\n".repeat(n / 4))).text().length(),
                "one byte per line plus the newlines between lines");
    }

    @Test
    void sizeLimit() {
        byte[] big = new byte[ZonParser.MAX_SOURCE_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        ZonParseException e = assertThrows(ZonParseException.class, () -> ZonParser.parse(big));
        assertTrue(e.reason().contains("10 MiB"));
        assertThrows(ZonParseException.class, () -> parse("1".repeat(ZonParser.MAX_NUMBER_CHARS + 1)),
                "huge number literals are refused, not converted");
    }

    @Test
    void lenientModeDefersLiteralContentLikeZigsManifestLoader() throws Exception {
        byte[] src = ".{ .a = \"\\q\", .b = 0b123, .c = undefined, .d = 'xy' }".getBytes(StandardCharsets.UTF_8);
        assertThrows(ZonParseException.class, () -> ZonParser.parse(src));
        ZonValue.StructLiteral s = (ZonValue.StructLiteral) ZonParser.parseLenient(src);
        assertInstanceOf(ZonValue.InvalidLiteral.class, s.get("a").orElseThrow());
        assertInstanceOf(ZonValue.InvalidLiteral.class, s.get("b").orElseThrow());
        assertInstanceOf(ZonValue.Identifier.class, s.get("c").orElseThrow());
        assertInstanceOf(ZonValue.InvalidLiteral.class, s.get("d").orElseThrow());
        assertThrows(ZonParseException.class, () -> ZonParser.parseLenient("\"tab\there\"".getBytes(StandardCharsets.UTF_8)),
                "lexical rules are never relaxed");
    }

    /**
     * A small seeded fuzz run: mutations of a real manifest must parse or fail with
     * ZonParseException, never with anything else.
     */
    @Test
    void randomMutationsNeverThrowAnythingElse() {
        byte[] seed = (".{\n    .name = .foo,\n    .version = \"0.1.0-rc.1+b\",\n"
                + "    .fingerprint = 0x8c736521490b23df,\n    .minimum_zig_version = \"0.14.0\",\n"
                + "    .dependencies = .{ .x = .{ .url = \"https://e/x.tar.gz\", .hash = \"x-0-\\u{41}\", .lazy = true } },\n"
                + "    .paths = .{ \"build.zig.zon\", \"src\", \\\\multi\n    },\n    .f = -1.5e3, .c = '\\x41', // c\n}\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] alphabet = ".{}=,-\"'\\@/_xue0123456789abcdefpP+\n\r\t \u0000\u007f".getBytes(StandardCharsets.ISO_8859_1);
        Random rnd = new Random(20260821);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = seed.clone();
            int edits = 1 + rnd.nextInt(6);
            for (int k = 0; k < edits; k++) {
                int at = rnd.nextInt(b.length);
                switch (rnd.nextInt(4)) {
                    case 0 -> b[at] = alphabet[rnd.nextInt(alphabet.length)];
                    case 1 -> b[at] = (byte) rnd.nextInt(256);
                    case 2 -> b = Arrays.copyOf(b, at);
                    default -> {
                        byte[] c = new byte[b.length + 1];
                        System.arraycopy(b, 0, c, 0, at);
                        c[at] = alphabet[rnd.nextInt(alphabet.length)];
                        System.arraycopy(b, at, c, at + 1, b.length - at);
                        b = c;
                    }
                }
                if (b.length == 0) {
                    break;
                }
            }
            for (int mode = 0; mode < 3; mode++) {
                try {
                    switch (mode) {
                        case 0 -> ZonParser.parse(b);
                        case 1 -> ZonParser.parseLenient(b);
                        default -> ZigManifest.parse(b);
                    }
                } catch (ZonParseException expected) {
                    // fine
                } catch (RuntimeException | Error e) {
                    fail("mode " + mode + " threw " + e + " on: " + new String(b, StandardCharsets.ISO_8859_1), e);
                }
            }
        }
    }
}
