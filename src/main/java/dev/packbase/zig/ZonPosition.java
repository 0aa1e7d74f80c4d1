package dev.packbase.zig;

/**
 * A place in a ZON source: 1-based line and 1-based column, both counted the way Zig's own
 * diagnostics count them (the column in bytes, not characters), so that a message can be compared
 * with what {@code zig fetch} prints for the same file.
 */
public record ZonPosition(int line, int column) {

    @Override
    public String toString() {
        return line + ":" + column;
    }
}
