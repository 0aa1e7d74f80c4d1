package dev.packbase.zig;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses ZON, the Zig Object Notation of build.zig.zon, from raw bytes. It covers what Zig accepts
 * in a manifest: anonymous struct and tuple literals, enum literals (also {@code .@"quoted"}),
 * string literals with every Zig escape, multiline {@code \\} strings, integer literals in all four
 * bases with {@code _} separators and of any size, float and character literals, {@code true},
 * {@code false}, {@code null} and {@code //} comments. General Zig expressions ({@code 1 + 2},
 * {@code @import}) are not ZON and are rejected.
 *
 * <p>The lexical rules are those of Zig 0.14 and later, which work on bytes: control characters are
 * rejected in strings and comments (a tab inside a comment too), a {@code \r} in a comment or
 * multiline string must precede {@code \n}, and bytes above 0x7f are taken as they are. (Zig 0.13
 * allowed tabs in comments and insisted on valid UTF-8 there; nobody should rely on either.) A
 * leading UTF-8 BOM is skipped.
 *
 * <p>Input is untrusted. The source is limited to {@link #MAX_SOURCE_BYTES} (Zig's own limit for a
 * manifest), nesting to {@link #MAX_DEPTH}, and every failure, whatever the input, is a
 * {@link ZonParseException} with a line and column.
 *
 * <p>Two modes. {@link #parse} is strict ZON: every literal must be well-formed. {@link
 * #parseLenient} mirrors how Zig's manifest loader reads a file: the syntax must be right, but a
 * malformed literal (bad escape, bad digit) or an unknown identifier only matters in a field Zig
 * actually reads, so it becomes an {@link ZonValue.InvalidLiteral} or {@link ZonValue.Identifier}
 * node and {@link ZigManifest} decides; and a typed initializer {@code T{ ... }}, with a literal or
 * identifier as {@code T}, is read as its initializer, because Zig's loader ignores the type.
 */
public final class ZonParser {
    /** Zig refuses a build.zig.zon above 10 MiB; we refuse any input above it. */
    public static final int MAX_SOURCE_BYTES = 10 * 1024 * 1024;
    /** Struct/tuple nesting limit: real manifests nest about four deep, and recursion must stay bounded. */
    public static final int MAX_DEPTH = 128;
    /**
     * Values (every literal, struct and tuple) in one document. Real manifests have a few
     * hundred; the cap keeps a hostile 10 MiB file of {@code 1,1,1,...} from costing a gigabyte of heap.
     */
    public static final int MAX_VALUES = 50_000;
    /** Integer literals longer than this are refused rather than converted (conversion is quadratic). */
    static final int MAX_NUMBER_CHARS = 4096;

    /** Zig's keywords (0.15 and later; 0.14 also had async, await, usingnamespace). Never identifiers. */
    static final Set<String> KEYWORDS = Set.of("addrspace", "align", "allowzero", "and", "anyframe",
            "anytype", "asm", "break", "callconv", "catch", "comptime", "const", "continue", "defer", "else",
            "enum", "errdefer", "error", "export", "extern", "fn", "for", "if", "inline", "noalias",
            "noinline", "nosuspend", "opaque", "or", "orelse", "packed", "pub", "resume", "return",
            "linksection", "struct", "suspend", "switch", "test", "threadlocal", "try", "union",
            "unreachable", "var", "volatile", "while");

    private enum Kind {
        PERIOD("'.'"), LBRACE("'{'"), RBRACE("'}'"), COMMA("','"), EQUAL("'='"), MINUS("'-'"),
        IDENTIFIER("an identifier"), QUOTED_IDENTIFIER("a quoted identifier"), STRING("a string literal"),
        MULTILINE("a multiline string"), CHAR("a character literal"), NUMBER("a number literal"),
        EOF("end of file");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /** A token: its kind, its byte range in the source, and where it starts. */
    private record Token(Kind kind, int start, int end, ZonPosition position) {
    }

    private final byte[] src;
    private final boolean lenient;
    private final ArrayDeque<Token> lookahead = new ArrayDeque<>();
    private int index;
    private int values;
    private int line = 1;
    private int lineStart;

    private ZonParser(byte[] src, boolean lenient) {
        this.src = src;
        this.lenient = lenient;
    }

    /** Parses strict ZON: a single value followed by the end of input. */
    public static ZonValue parse(byte[] source) throws ZonParseException {
        return new ZonParser(source, false).parseDocument();
    }

    /** Parses with the leniency of Zig's manifest loader (see the class comment). */
    public static ZonValue parseLenient(byte[] source) throws ZonParseException {
        return new ZonParser(source, true).parseDocument();
    }

    private ZonValue parseDocument() throws ZonParseException {
        if (src.length > MAX_SOURCE_BYTES) {
            throw new ZonParseException(new ZonPosition(1, 1),
                    "input is " + src.length + " bytes; the limit is " + MAX_SOURCE_BYTES + " (10 MiB)");
        }
        if (src.length >= 3 && (src[0] & 0xff) == 0xEF && (src[1] & 0xff) == 0xBB && (src[2] & 0xff) == 0xBF) {
            index = 3;
            lineStart = 3;
        }
        ZonValue root = parseValue(0);
        Token end = next();
        if (end.kind() != Kind.EOF) {
            throw error(end.position(), "expected end of file after the value, found " + describe(end));
        }
        return root;
    }

    // ---------------------------------------------------------------- parser

    private ZonValue parseValue(int depth) throws ZonParseException {
        Token t = next();
        if (++values > MAX_VALUES) {
            throw error(t.position(), "more than " + MAX_VALUES + " values; not a plausible build.zig.zon");
        }
        ZonValue v = parsePrimary(t, depth);
        if (lenient && t.kind() != Kind.MINUS && peek(0).kind() == Kind.LBRACE) {
            // Zig's loader parses full Zig, where any primary expression may be the type of an
            // initializer (T{ ... }), and it reads only the initializer: 0x{ "a" } is a list there.
            next();
            return parseInitializer(v.position(), depth + 1);
        }
        return v;
    }

    private ZonValue parsePrimary(Token t, int depth) throws ZonParseException {
        switch (t.kind()) {
            case PERIOD: {
                Token after = next();
                if (after.kind() == Kind.LBRACE) {
                    return parseInitializer(t.position(), depth + 1);
                }
                if (after.kind() == Kind.IDENTIFIER) {
                    return new ZonValue.EnumLiteral(text(after), false, t.position());
                }
                if (after.kind() == Kind.QUOTED_IDENTIFIER) {
                    DecodedString name = decodeString(after.start() + 1, after.end(), after.position().column() + 1,
                            after.position().line());
                    if (name.problem() != null) {
                        if (lenient) {
                            return new ZonValue.InvalidLiteral(text(t.start(), after.end()), name.problem(),
                                    name.problemAt());
                        }
                        throw error(name.problemAt(), name.problem());
                    }
                    return new ZonValue.EnumLiteral(utf8(name.bytes()), true, t.position());
                }
                throw error(after.position(), "expected '{' or a name after '.', found " + describe(after));
            }
            case STRING: {
                DecodedString s = decodeString(t.start(), t.end(), t.position().column(), t.position().line());
                if (s.problem() != null) {
                    if (lenient) {
                        return new ZonValue.InvalidLiteral(text(t), s.problem(), s.problemAt());
                    }
                    throw error(s.problemAt(), s.problem());
                }
                return new ZonValue.StringLiteral(s.bytes(), false, t.position());
            }
            case MULTILINE:
                return multiline(t);
            case CHAR:
                return charLiteral(t);
            case NUMBER:
                return number(t, false, t.position());
            case MINUS: {
                Token operand = next();
                if (operand.kind() == Kind.NUMBER) {
                    return number(operand, true, t.position());
                }
                if (operand.kind() == Kind.IDENTIFIER && text(operand).equals("inf")) {
                    return new ZonValue.FloatLiteral("-inf", t.position());
                }
                throw error(operand.position(), "expected a number after '-', found " + describe(operand));
            }
            case IDENTIFIER:
                return identifier(t);
            default:
                throw error(t.position(), "expected a value, found " + describe(t));
        }
    }

    /** After {@code .{}: a struct literal, a tuple literal, or the empty {@code .{}}. */
    private ZonValue parseInitializer(ZonPosition open, int depth) throws ZonParseException {
        if (depth > MAX_DEPTH) {
            throw error(open, "nesting is deeper than " + MAX_DEPTH + " levels");
        }
        if (peek(0).kind() == Kind.RBRACE) {
            next();
            return new ZonValue.StructLiteral(List.of(), open);
        }
        if (looksLikeField()) {
            List<ZonValue.Field> fields = new ArrayList<>();
            while (true) {
                if (!looksLikeField()) {
                    throw error(peek(0).position(), "expected a field initializer '.name = value', found "
                            + describe(peek(0)));
                }
                Token period = next();
                Token name = next();
                next(); // '='
                String fieldName;
                boolean quoted = name.kind() == Kind.QUOTED_IDENTIFIER;
                if (quoted) {
                    // Zig decodes every field name, known or not, so a bad escape here always fails.
                    DecodedString d = decodeString(name.start() + 1, name.end(), name.position().column() + 1,
                            name.position().line());
                    if (d.problem() != null) {
                        throw error(d.problemAt(), d.problem());
                    }
                    fieldName = utf8(d.bytes());
                } else {
                    fieldName = text(name);
                }
                ZonValue value = parseValue(depth);
                fields.add(new ZonValue.Field(fieldName, quoted, value, period.position()));
                if (endOfList()) {
                    return new ZonValue.StructLiteral(fields, open);
                }
            }
        }
        List<ZonValue> elements = new ArrayList<>();
        while (true) {
            elements.add(parseValue(depth));
            if (endOfList()) {
                return new ZonValue.TupleLiteral(elements, open);
            }
        }
    }

    /** Consumes {@code ,} or {@code ,}}} or {@code }}; true when the list is closed. */
    private boolean endOfList() throws ZonParseException {
        Token t = next();
        if (t.kind() == Kind.RBRACE) {
            return true;
        }
        if (t.kind() != Kind.COMMA) {
            throw error(t.position(), "expected ',' or '}' after an element, found " + describe(t));
        }
        if (peek(0).kind() == Kind.RBRACE) {
            next();
            return true;
        }
        return false;
    }

    private boolean looksLikeField() throws ZonParseException {
        return peek(0).kind() == Kind.PERIOD
                && (peek(1).kind() == Kind.IDENTIFIER || peek(1).kind() == Kind.QUOTED_IDENTIFIER)
                && peek(2).kind() == Kind.EQUAL;
    }

    private ZonValue identifier(Token t) throws ZonParseException {
        String name = text(t);
        switch (name) {
            case "true":
                return new ZonValue.BoolLiteral(true, t.position());
            case "false":
                return new ZonValue.BoolLiteral(false, t.position());
            case "null":
                return new ZonValue.NullLiteral(t.position());
            case "inf":
            case "nan":
                return new ZonValue.FloatLiteral(name, t.position());
            default:
                if (lenient) {
                    return new ZonValue.Identifier(name, t.position());
                }
                throw error(t.position(), "unknown identifier '" + name + "'; ZON values are literals");
        }
    }

    private ZonValue multiline(Token first) throws ZonParseException {
        // Consecutive \\ lines form one string; comments between them are not tokens and do not split it.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Token t = first;
        while (true) {
            out.write(src, t.start() + 2, t.end() - t.start() - 2);
            if (peek(0).kind() != Kind.MULTILINE) {
                break;
            }
            t = next();
            out.write('\n');
        }
        return new ZonValue.StringLiteral(out.toByteArray(), true, first.position());
    }

    private ZonValue charLiteral(Token t) throws ZonParseException {
        int start = t.start() + 1;
        int end = t.end() - 1; // the closing quote
        String problem = null;
        int problemIndex = start;
        int value = 0;
        if (start >= end) {
            problem = "empty character literal";
        } else if (src[start] == '\\') {
            long[] out = new long[2];
            String p = escape(start, end + 1, out);
            if (p != null) {
                problem = p;
                problemIndex = (int) out[1];
            } else if (out[1] != end) {
                problem = "expected a single quote after the escape";
                problemIndex = (int) out[1];
            } else {
                value = (int) out[0];
            }
        } else {
            int cp = decodeUtf8(start, end);
            if (cp < 0) {
                problem = cp == -2 ? "character literal must contain exactly one character"
                        : "invalid UTF-8 in character literal";
            } else {
                value = cp;
            }
        }
        if (problem != null) {
            ZonPosition at = new ZonPosition(t.position().line(), t.position().column() + (problemIndex - t.start()));
            if (lenient) {
                return new ZonValue.InvalidLiteral(text(t), problem, at);
            }
            throw error(at, problem);
        }
        return new ZonValue.CharLiteral(value, t.position());
    }

    /**
     * Decodes exactly one UTF-8 encoded scalar value spanning {@code [from, to)}: its code point, -1 if
     * the bytes are not valid UTF-8, -2 if they are valid but hold more than one character.
     */
    private int decodeUtf8(int from, int to) {
        int b0 = src[from] & 0xff;
        int n;
        int cp;
        if (b0 < 0x80) {
            n = 1;
            cp = b0;
        } else if (b0 >= 0xC2 && b0 <= 0xDF) {
            n = 2;
            cp = b0 & 0x1f;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            n = 3;
            cp = b0 & 0x0f;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            n = 4;
            cp = b0 & 0x07;
        } else {
            return -1;
        }
        if (to - from < n) {
            return -1;
        }
        for (int i = 1; i < n; i++) {
            int b = src[from + i] & 0xff;
            if ((b & 0xC0) != 0x80) {
                return -1;
            }
            cp = (cp << 6) | (b & 0x3f);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
            return -1;
        }
        return to - from > n ? -2 : cp;
    }

    private ZonValue number(Token t, boolean negated, ZonPosition at) throws ZonParseException {
        String literal = text(t);
        String full = negated ? "-" + literal : literal;
        NumberLiterals.Parsed p = NumberLiterals.parse(literal);
        if (p.problem() != null) {
            ZonPosition where = new ZonPosition(t.position().line(), t.position().column() + p.problemIndex());
            if (lenient) {
                return new ZonValue.InvalidLiteral(full, p.problem(), where);
            }
            throw error(where, p.problem());
        }
        if (p.isFloat()) {
            return new ZonValue.FloatLiteral(full, at);
        }
        return new ZonValue.IntLiteral(negated ? p.value().negate() : p.value(), full, at);
    }

    // ---------------------------------------------------------------- string escapes

    /** Result of decoding a quoted string: the bytes, or a problem and where it is. */
    private record DecodedString(byte[] bytes, String problem, ZonPosition problemAt) {
    }

    /**
     * Decodes the quoted text {@code src[quote, end)}, where {@code src[quote]} and {@code src[end-1]}
     * are the quotes; {@code column} is the quote's column on {@code atLine}.
     */
    private DecodedString decodeString(int quote, int end, int column, int atLine) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(0, end - quote - 2));
        int i = quote + 1;
        int close = end - 1;
        long[] res = new long[2];
        while (i < close) {
            int b = src[i] & 0xff;
            if (b != '\\') {
                out.write(b);
                i++;
                continue;
            }
            String problem = escape(i, end, res);
            if (problem != null) {
                return new DecodedString(null, problem, new ZonPosition(atLine, column + (int) (res[1] - quote)));
            }
            int escapeChar = src[i + 1];
            long cp = res[0];
            if (escapeChar == 'u') {
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    return new DecodedString(null, "unicode escape does not correspond to a valid unicode scalar value",
                            new ZonPosition(atLine, column + (i + 2 - quote)));
                }
                byte[] enc = new String(Character.toChars((int) cp)).getBytes(StandardCharsets.UTF_8);
                out.write(enc, 0, enc.length);
            } else {
                out.write((int) cp);
            }
            i = (int) res[1];
        }
        return new DecodedString(out.toByteArray(), null, null);
    }

    /**
     * Decodes the escape sequence at {@code src[at] == '\\'}, never reading at or beyond {@code limit}
     * (the closing quote is at {@code limit - 1}). On success returns null, with the value in
     * {@code out[0]} and the index after the sequence in {@code out[1]}. On failure returns the
     * message, with the offending index in {@code out[1]}. Messages follow Zig's.
     */
    private String escape(int at, int limit, long[] out) {
        int i = at + 1;
        if (i >= limit) {
            out[1] = i;
            return "invalid escape character at end of literal";
        }
        int c = src[i] & 0xff;
        i++;
        switch (c) {
            case 'n':
                out[0] = '\n';
                break;
            case 'r':
                out[0] = '\r';
                break;
            case 't':
                out[0] = '\t';
                break;
            case '\\':
            case '\'':
            case '"':
                out[0] = c;
                break;
            case 'x': {
                int v = 0;
                for (int k = 0; k < 2; k++) {
                    int d = i < limit ? hexDigit(src[i] & 0xff) : -1;
                    if (d < 0) {
                        out[1] = i;
                        return "expected hex digit, found " + quoteByte(i, limit);
                    }
                    v = v * 16 + d;
                    i++;
                }
                out[0] = v;
                break;
            }
            case 'u': {
                if (i >= limit || src[i] != '{') {
                    out[1] = i;
                    return "expected '{', found " + quoteByte(i, limit);
                }
                i++;
                if (i < limit && src[i] == '}') {
                    out[1] = i;
                    return "empty unicode escape sequence";
                }
                long v = 0;
                while (true) {
                    if (i >= limit) {
                        out[1] = i;
                        return "expected '}', found end of literal";
                    }
                    int ch = src[i] & 0xff;
                    if (ch == '}') {
                        i++;
                        break;
                    }
                    int d = hexDigit(ch);
                    if (d < 0) {
                        out[1] = i;
                        return "expected hex digit or '}', found " + quoteByte(i, limit);
                    }
                    v = v * 16 + d;
                    if (v > 0x10FFFF) {
                        out[1] = i;
                        return "unicode escape does not correspond to a valid unicode scalar value";
                    }
                    i++;
                }
                out[0] = v;
                break;
            }
            default:
                out[1] = i - 1;
                return "invalid escape character: " + quoteByte(i - 1, limit);
        }
        out[1] = i;
        return null;
    }

    private String quoteByte(int i, int limit) {
        if (i >= limit) {
            return "end of literal";
        }
        int b = src[i] & 0xff;
        return b >= 0x20 && b < 0x7f ? "'" + (char) b + "'" : String.format("byte 0x%02x", b);
    }

    private static int hexDigit(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    // ---------------------------------------------------------------- tokenizer

    private Token peek(int n) throws ZonParseException {
        while (lookahead.size() <= n) {
            lookahead.addLast(lex());
        }
        int k = 0;
        for (Token t : lookahead) {
            if (k++ == n) {
                return t;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private Token next() throws ZonParseException {
        return lookahead.isEmpty() ? lex() : lookahead.removeFirst();
    }

    private int at(int i) {
        return i < src.length ? src[i] & 0xff : -1;
    }

    private ZonPosition here(int i) {
        return new ZonPosition(line, i - lineStart + 1);
    }

    private void newlineAt(int i) {
        line++;
        lineStart = i + 1;
    }

    private Token lex() throws ZonParseException {
        while (true) {
            int c = at(index);
            if (c == ' ' || c == '\t' || c == '\r') {
                index++;
            } else if (c == '\n') {
                newlineAt(index);
                index++;
            } else if (c == '/' && at(index + 1) == '/') {
                comment();
            } else {
                break;
            }
        }
        int start = index;
        ZonPosition pos = here(start);
        int c = at(index);
        if (c < 0) {
            return new Token(Kind.EOF, start, start, pos);
        }
        switch (c) {
            case '.':
                index++;
                return new Token(Kind.PERIOD, start, index, pos);
            case '{':
                index++;
                return new Token(Kind.LBRACE, start, index, pos);
            case '}':
                index++;
                return new Token(Kind.RBRACE, start, index, pos);
            case ',':
                index++;
                return new Token(Kind.COMMA, start, index, pos);
            case '=':
                index++;
                return new Token(Kind.EQUAL, start, index, pos);
            case '-':
                index++;
                return new Token(Kind.MINUS, start, index, pos);
            case '"':
                quoted(start + 1, '"', "string literal");
                return new Token(Kind.STRING, start, index, pos);
            case '\'':
                quoted(start + 1, '\'', "character literal");
                return new Token(Kind.CHAR, start, index, pos);
            case '@':
                if (at(index + 1) != '"') {
                    throw error(pos, "builtin calls are not ZON; only @\"...\" names are allowed");
                }
                quoted(start + 2, '"', "quoted identifier");
                return new Token(Kind.QUOTED_IDENTIFIER, start, index, pos);
            case '\\':
                if (at(index + 1) != '\\') {
                    throw error(pos, "unexpected '\\'; a multiline string line starts with \\\\");
                }
                multilineLine(start);
                return new Token(Kind.MULTILINE, start, index, pos);
            default:
                break;
        }
        if (isIdentStart(c)) {
            index++;
            while (isIdentStart(at(index)) || isDigit(at(index))) {
                index++;
            }
            String word = text(start, index);
            if (KEYWORDS.contains(word)) {
                throw error(pos, "'" + word + "' is a Zig keyword and cannot be used as a name; write @\"" + word + "\"");
            }
            return new Token(Kind.IDENTIFIER, start, index, pos);
        }
        if (isDigit(c)) {
            numberToken();
            if (index - start > MAX_NUMBER_CHARS) {
                throw error(pos, "number literal is longer than " + MAX_NUMBER_CHARS + " characters");
            }
            return new Token(Kind.NUMBER, start, index, pos);
        }
        throw error(pos, "unexpected " + describeByte(c) + "; ZON allows only literals, '.{', '}', ',', '=' and '-'");
    }

    private static boolean isIdentStart(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isControl(int c) {
        return (c >= 0 && c < 0x20) || c == 0x7f;
    }

    private static String describeByte(int c) {
        return c >= 0x21 && c < 0x7f ? "character '" + (char) c + "'" : String.format("byte 0x%02x", c);
    }

    /** {@code //} comment: doc comments are tokens in Zig and have no place in an expression. */
    private void comment() throws ZonParseException {
        ZonPosition pos = here(index);
        int third = at(index + 2);
        if (third == '!') {
            throw error(pos, "container doc comments (//!) are not allowed in ZON");
        }
        if (third == '/' && at(index + 3) != '/') {
            throw error(pos, "doc comments (///) are not allowed here; use //");
        }
        index += 2;
        while (true) {
            int c = at(index);
            if (c < 0) {
                return;
            }
            if (c == '\n') {
                newlineAt(index);
                index++;
                return;
            }
            if (c == '\r') {
                if (at(index + 1) != '\n') {
                    throw error(here(index), "comment contains a carriage return not followed by a newline");
                }
            } else if (isControl(c)) {
                throw error(here(index), "comment contains invalid " + String.format("byte 0x%02x", c));
            }
            index++;
        }
    }

    /** Scans a quoted literal whose content starts at {@code from}; escapes are checked later. */
    private void quoted(int from, int quote, String what) throws ZonParseException {
        ZonPosition start = here(index);
        index = from;
        while (true) {
            int c = at(index);
            if (c < 0 || c == '\n') {
                throw error(start, "unterminated " + what);
            }
            if (c == quote) {
                index++;
                return;
            }
            if (c == '\\') {
                int n = at(index + 1);
                if (n < 0 || n == '\n') {
                    throw error(start, "unterminated " + what);
                }
                // As in Zig's tokenizer, the escaped byte itself is not checked here.
                index += 2;
                continue;
            }
            if (isControl(c)) {
                throw error(here(index), what + " contains invalid " + String.format("byte 0x%02x", c)
                        + "; use an escape sequence");
            }
            index++;
        }
    }

    private void multilineLine(int start) throws ZonParseException {
        index = start + 2;
        while (true) {
            int c = at(index);
            if (c < 0 || c == '\n') {
                return;
            }
            if (c == '\r') {
                if (at(index + 1) != '\n') {
                    throw error(here(index), "multiline string contains a carriage return not followed by a newline");
                }
                return; // \r\n ends the line; the \r is not content
            }
            if (isControl(c)) {
                throw error(here(index), "multiline string contains invalid " + String.format("byte 0x%02x", c));
            }
            index++;
        }
    }

    /** The extent of a number token, following Zig's tokenizer; its content is checked by the parser. */
    private void numberToken() {
        boolean exponentSignAllowed = false;
        while (true) {
            int c = at(index);
            if (exponentSignAllowed && (c == '+' || c == '-')) {
                index++;
                exponentSignAllowed = false;
                continue;
            }
            exponentSignAllowed = false;
            if (c == '.') {
                int n = at(index + 1);
                if (isIdentStart(n) || isDigit(n)) {
                    index++;
                    continue;
                }
                return; // a '.' not followed by a digit ends the number
            }
            if (isIdentStart(c) || isDigit(c)) {
                exponentSignAllowed = c == 'e' || c == 'E' || c == 'p' || c == 'P';
                index++;
                continue;
            }
            return;
        }
    }

    private String text(Token t) {
        return text(t.start(), t.end());
    }

    private String text(int from, int to) {
        return new String(src, from, to - from, StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private String describe(Token t) {
        if (t.kind() == Kind.IDENTIFIER) {
            return "'" + text(t) + "'";
        }
        return t.kind().description;
    }

    private static ZonParseException error(ZonPosition at, String message) {
        return new ZonParseException(at, message);
    }

    /**
     * Zig's rules for the content of a number literal: {@code 0x}/{@code 0o}/{@code 0b} prefixes in
     * lower case, no leading zeros in decimal, single {@code _} only between digits, floats in base
     * 10 and 16 with {@code e}/{@code p} exponents.
     */
    static final class NumberLiterals {
        private NumberLiterals() {
        }

        /** The outcome: an integer value, or a float marker, or a problem at an index in the literal. */
        record Parsed(BigInteger value, boolean isFloat, String problem, int problemIndex) {
            static Parsed problem(String message, int at) {
                return new Parsed(null, false, message, at);
            }
        }

        static Parsed parse(String s) {
            int n = s.length();
            int i = 0;
            int base = 10;
            if (n >= 2 && s.charAt(0) == '0') {
                char p = s.charAt(1);
                if (p == 'b' || p == 'o' || p == 'x') {
                    base = p == 'b' ? 2 : p == 'o' ? 8 : 16;
                    i = 2;
                } else if (p == 'B' || p == 'O' || p == 'X') {
                    return Parsed.problem("base prefix must be lowercase", 1);
                } else if (p != '.' && p != 'e' && p != 'E') {
                    return Parsed.problem("number has leading zero", 0);
                }
            }
            if (n == 2 && base != 10) {
                return Parsed.problem("expected a digit after the base prefix", 2);
            }
            boolean underscore = false;
            boolean period = false;
            boolean exponent = false;
            boolean isFloat = false;
            char special = 0;
            StringBuilder digits = new StringBuilder(n);
            for (; i < n; i++) {
                char c = s.charAt(i);
                if (c == '_') {
                    if ((i == 2 && base != 10) || special != 0) {
                        return Parsed.problem("'_' must be between digits", i);
                    }
                    if (underscore) {
                        return Parsed.problem("repeated '_'", i);
                    }
                    underscore = true;
                    continue;
                }
                if ((c == 'e' || c == 'E') && base == 10 || (c == 'p' || c == 'P') && base == 16) {
                    if (base == 16 && i == 2) {
                        return Parsed.problem("expected a digit after the base prefix", i);
                    }
                    if (exponent) {
                        return Parsed.problem("duplicate exponent", i);
                    }
                    if (underscore) {
                        return Parsed.problem("exponent after '_'", i);
                    }
                    isFloat = true;
                    exponent = true;
                    special = c;
                    continue;
                }
                if (c == '.') {
                    if (exponent) {
                        return Parsed.problem("'.' after the exponent", i);
                    }
                    if (base != 10 && base != 16) {
                        return Parsed.problem("float literals must be decimal or hexadecimal", 2);
                    }
                    if (period) {
                        return Parsed.problem("duplicate '.'", i);
                    }
                    if (underscore) {
                        return Parsed.problem("'.' after '_'", i);
                    }
                    isFloat = true;
                    period = true;
                    special = c;
                    continue;
                }
                if (c == '+' || c == '-') {
                    if (!(special == 'p' || special == 'P' || ((special == 'e' || special == 'E') && base == 10))) {
                        return Parsed.problem("sign only allowed right after an exponent", i);
                    }
                    special = c;
                    continue;
                }
                int digit;
                if (c >= '0' && c <= '9') {
                    digit = c - '0';
                } else if (c >= 'a' && c <= 'z') {
                    digit = c - 'a' + 10;
                } else if (c >= 'A' && c <= 'Z') {
                    digit = c - 'A' + 10;
                } else {
                    return Parsed.problem("invalid character '" + c + "' in number", i);
                }
                if (digit >= base) {
                    return Parsed.problem("invalid digit '" + c + "' for base " + base, i);
                }
                if (exponent && digit >= 10) {
                    return Parsed.problem("invalid digit '" + c + "' in exponent", i);
                }
                underscore = false;
                special = 0;
                if (!isFloat) {
                    digits.append(c);
                }
            }
            if (underscore) {
                return Parsed.problem("trailing '_'", n - 1);
            }
            if (special != 0) {
                return Parsed.problem("number ends with '" + special + "'", n - 1);
            }
            if (isFloat) {
                return new Parsed(null, true, null, 0);
            }
            return new Parsed(new BigInteger(digits.toString(), base), false, null, 0);
        }
    }
}
