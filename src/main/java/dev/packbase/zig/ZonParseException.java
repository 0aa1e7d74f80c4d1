package dev.packbase.zig;

/**
 * The only exception the ZON parser and {@link ZigManifest#parse} throw: the input is not a ZON
 * document packbase understands, or it is a build.zig.zon that no Zig version would load. The
 * message starts with {@code line:column}. It is checked because hostile input is expected and
 * callers must decide what a broken manifest means for them.
 */
public final class ZonParseException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient ZonPosition position;
    private final String reason;

    public ZonParseException(ZonPosition position, String reason) {
        super(position + ": " + reason);
        this.position = position;
        this.reason = reason;
    }

    /** Where the problem is. */
    public ZonPosition position() {
        return position;
    }

    /** The message without the position prefix. */
    public String reason() {
        return reason;
    }
}
