package dev.packbase.config;

/**
 * A setting whose value cannot be used; the message names the variable and the value. An
 * {@link IllegalArgumentException}, because that is what the standalone launcher reports as a usage error
 * (exit code 2); {@link ConfigLoader} turns it into the webapp's own error type. JDK only (see {@link Setting}).
 */
public final class SettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SettingException(String message) {
        super(message);
    }
}
