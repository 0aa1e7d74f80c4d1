package dev.packbase.zig;

/**
 * The groups of Zig releases that treat packages alike (notes/zig-client.md §4, §6). Rules that
 * differ between Zig versions are expressed as the set of eras that reject something.
 */
public enum ZigEra {
    /** 0.12 and 0.13: string {@code .name}, no fingerprint, legacy {@code 1220…} hashes only. */
    ZIG_0_12_TO_0_13("0.12-0.13"),
    /** 0.14 and 0.15: enum name (strings tolerated for dependencies), new-form hashes, legacy ones still accepted. */
    ZIG_0_14_TO_0_15("0.14-0.15"),
    /** 0.16 and later (checked up to 0.17.1): enum name and fingerprint required, new-form hashes only. */
    ZIG_0_16_AND_LATER("0.16+");

    private final String label;

    ZigEra(String label) {
        this.label = label;
    }

    /** A short human label such as {@code 0.14-0.15}. */
    public String label() {
        return label;
    }

    /** True for the eras that print and store the {@code name-version-base64} form. */
    public boolean usesNewHash() {
        return this != ZIG_0_12_TO_0_13;
    }
}
