package dev.packbase.zig;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node of a parsed ZON document. Every node remembers where it started, so that rules applied
 * after parsing (the build.zig.zon checks in {@link ZigManifest}) can point at the offending text.
 * Because of that, two nodes are only {@code equals} when they also sit at the same place; compare
 * {@link #toJava()} views to compare content.
 */
public sealed interface ZonValue {

    ZonPosition position();

    /**
     * A plain Java view for tests and diagnostics: maps (field order kept) for structs, lists for
     * tuples, strings, {@link BigInteger} (also for characters), {@link Double}, {@link Boolean},
     * {@code null}, {@code "."}-prefixed strings for enum literals, the bare name of an
     * {@link Identifier}, and an {@link InvalidLiteral} as itself.
     */
    Object toJava();

    /** {@code .{ .a = 1, .b = 2 }}; also the empty literal {@code .{}}, which Zig parses as a struct. */
    record StructLiteral(List<Field> fields, ZonPosition position) implements ZonValue {
        public StructLiteral {
            fields = List.copyOf(fields);
        }

        /**
         * The value of the last field with this name. Zig's manifest loader lets a repeated field
         * overwrite the earlier one, so the last one is the one that counts.
         */
        public Optional<ZonValue> get(String name) {
            for (int i = fields.size() - 1; i >= 0; i--) {
                if (fields.get(i).name().equals(name)) {
                    return Optional.of(fields.get(i).value());
                }
            }
            return Optional.empty();
        }

        public boolean isEmpty() {
            return fields.isEmpty();
        }

        @Override
        public Object toJava() {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Field f : fields) {
                m.put(f.name(), f.value().toJava());
            }
            return m;
        }
    }

    /**
     * One {@code .name = value} of a struct literal.
     *
     * @param quoted the name was written {@code .@"..."}
     */
    record Field(String name, boolean quoted, ZonValue value, ZonPosition position) {
    }

    /** {@code .{ "a", "b" }}: an anonymous list literal, as {@code .paths} uses. Never empty. */
    record TupleLiteral(List<ZonValue> elements, ZonPosition position) implements ZonValue {
        public TupleLiteral {
            elements = List.copyOf(elements);
        }

        @Override
        public Object toJava() {
            List<Object> l = new ArrayList<>();
            for (ZonValue v : elements) {
                l.add(v.toJava());
            }
            return l;
        }
    }

    /**
     * A string literal after escape processing. Zig strings are bytes: {@code \xNN} can make them
     * invalid UTF-8, and path matching and the fingerprint checksum work on the bytes, so the bytes
     * are the value and {@link #text()} is only a view.
     *
     * @param multiline written as {@code \\} lines; Zig's manifest loader does not accept those
     *                  where it expects a string
     */
    record StringLiteral(byte[] bytes, boolean multiline, ZonPosition position) implements ZonValue {
        public StringLiteral {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The bytes decoded as UTF-8 (malformed sequences become U+FFFD). */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public boolean isValidUtf8() {
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }

        @Override
        public Object toJava() {
            return text();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StringLiteral s && Arrays.equals(bytes, s.bytes) && multiline == s.multiline
                    && position.equals(s.position);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes) * 31 + position.hashCode();
        }

        @Override
        public String toString() {
            return "StringLiteral[" + text() + (multiline ? ", multiline" : "") + " @" + position + "]";
        }
    }

    /**
     * {@code .foo} or {@code .@"quoted name"}.
     *
     * @param quoted written with {@code @"..."}; Zig 0.14+ rejects that form for {@code .name}
     */
    record EnumLiteral(String name, boolean quoted, ZonPosition position) implements ZonValue {
        @Override
        public Object toJava() {
            return "." + name;
        }
    }

    /**
     * An integer literal, possibly negated. Arbitrary size: a fingerprint is a u64, which does not
     * fit a signed long as a number.
     *
     * @param literal the source text including a leading {@code -}; Zig's manifest loader only
     *                accepts a bare number literal where it wants an integer, so {@code -0} matters
     */
    record IntLiteral(BigInteger value, String literal, ZonPosition position) implements ZonValue {
        public boolean negated() {
            return literal.startsWith("-");
        }

        @Override
        public Object toJava() {
            return value;
        }
    }

    /** A float literal (decimal or hex), kept as written; also {@code inf}, {@code -inf} and {@code nan}. */
    record FloatLiteral(String literal, ZonPosition position) implements ZonValue {
        /** Best-effort conversion; hex floats without an exponent and other Zig-only forms give NaN. */
        public double toDouble() {
            String s = literal.replace("_", "");
            boolean neg = s.startsWith("-");
            String body = neg ? s.substring(1) : s;
            double d;
            if (body.equals("inf")) {
                d = Double.POSITIVE_INFINITY;
            } else if (body.equals("nan")) {
                d = Double.NaN;
            } else {
                try {
                    d = Double.parseDouble(body);
                } catch (NumberFormatException e) {
                    d = Double.NaN;
                }
            }
            return neg ? -d : d;
        }

        @Override
        public Object toJava() {
            return toDouble();
        }
    }

    /** A character literal; in Zig it is an integer (the code point). */
    record CharLiteral(int codePoint, ZonPosition position) implements ZonValue {
        @Override
        public Object toJava() {
            return BigInteger.valueOf(codePoint);
        }
    }

    /** {@code true} or {@code false}: in Zig these are identifiers, and so they are here. */
    record BoolLiteral(boolean value, ZonPosition position) implements ZonValue {
        @Override
        public Object toJava() {
            return value;
        }
    }

    record NullLiteral(ZonPosition position) implements ZonValue {
        @Override
        public Object toJava() {
            return null;
        }
    }

    /**
     * Any other bare identifier. Only produced by the lenient parse: Zig's manifest loader accepts
     * any expression in a field it does not know, so a lone identifier there must not fail the file.
     */
    record Identifier(String name, ZonPosition position) implements ZonValue {
        @Override
        public Object toJava() {
            return name;
        }
    }

    /**
     * A string, character or number literal whose content is malformed (a bad escape, a bad digit).
     * Only produced by the lenient parse, for the same reason as {@link Identifier}: Zig checks a
     * literal's content only when it reads that field.
     */
    record InvalidLiteral(String literal, String problem, ZonPosition position) implements ZonValue {
        @Override
        public Object toJava() {
            return this;
        }
    }
}
