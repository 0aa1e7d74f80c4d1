package dev.packbase.zig;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The fields of a build.zig.zon that matter to a registry, read the way Zig's manifest loader
 * reads them (notes/zig-client.md §4), plus what each Zig era would think of them.
 *
 * <p>{@link #parse} throws only for what every Zig version from 0.12 on refuses to load: bad
 * syntax, a known field of the wrong type, a missing {@code .name} or {@code .version}, a version
 * that is not semver. Everything that depends on the Zig version (the form of {@code .name}, the
 * fingerprint, dependency hash formats) is a {@link Warning} naming the eras that reject it, and
 * advice that no Zig version enforces (such as {@code .paths} not covering build.zig.zon) is a
 * warning that no era rejects. Unknown fields are ignored, as Zig ignores them.
 *
 * @param name              the package name as written (string or enum literal)
 * @param nameForm          how it was written; 0.12-0.13 need a string, 0.16+ an enum literal
 * @param version           the version as written
 * @param fingerprint       the u64 fingerprint as a long (unsigned), or null when absent or unusable
 * @param minimumZigVersion advisory only, null when absent
 * @param paths             the {@code .paths} entries as written, or null when the field is absent
 * @param dependencies      in file order; a repeated name keeps its first place and its last value
 * @param warnings          version-dependent problems and advice, in file order
 */
public record ZigManifest(
        String name,
        NameForm nameForm,
        String version,
        Long fingerprint,
        String minimumZigVersion,
        List<String> paths,
        List<Dependency> dependencies,
        List<Warning> warnings) {

    /** Zig's limit on the bytes of {@code .name} and of {@code .version} (0.14 and later). */
    public static final int MAX_NAME_BYTES = 32;
    public static final int MAX_VERSION_BYTES = 32;
    /** Zig's limit on a dependency hash string (0.14 and later). */
    public static final int MAX_HASH_CHARS = 110;
    /** Length of a legacy {@code 1220…} multihash string. */
    public static final int LEGACY_HASH_CHARS = 68;
    /** More distinct warnings than this and the file is refused: no real manifest comes close. */
    static final int MAX_WARNINGS = 1000;

    private static final Set<ZigEra> ALL = EnumSet.allOf(ZigEra.class);
    private static final Set<ZigEra> NEW_HASH_ERAS = EnumSet.of(ZigEra.ZIG_0_14_TO_0_15, ZigEra.ZIG_0_16_AND_LATER);
    /** Keywords of Zig 0.14 that 0.15 dropped: as names they fail in 0.14 only. */
    private static final Set<String> OLD_KEYWORDS = Set.of("async", "await", "usingnamespace");

    public ZigManifest {
        paths = paths == null ? null : List.copyOf(paths);
        dependencies = List.copyOf(dependencies);
        warnings = List.copyOf(warnings);
    }

    /** How {@code .name} was written. */
    public enum NameForm {
        /** {@code .name = "foo"}: required by 0.12-0.13, tolerated for dependencies by 0.14-0.15. */
        STRING,
        /** {@code .name = .foo}: required from 0.16, expected from 0.14. */
        ENUM_LITERAL
    }

    /**
     * One entry of {@code .dependencies}. Exactly one of {@code url} and {@code path} is set.
     *
     * @param hash null when absent (Zig then asks for it on first use)
     * @param lazy null when absent
     */
    public record Dependency(String name, String url, String hash, String path, Boolean lazy) {
    }

    /**
     * A problem or piece of advice.
     *
     * @param rejectedBy the eras whose Zig refuses to load a package with this manifest; empty for advice
     * @param position   where in the file, or null when it concerns the file as a whole
     */
    public record Warning(String message, Set<ZigEra> rejectedBy, ZonPosition position) {
        public Warning {
            rejectedBy = rejectedBy.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(rejectedBy));
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            if (position != null) {
                sb.append(position).append(": ");
            }
            sb.append(message);
            if (!rejectedBy.isEmpty()) {
                sb.append(" (rejected by Zig ");
                String sep = "";
                for (ZigEra e : ZigEra.values()) {
                    if (rejectedBy.contains(e)) {
                        sb.append(sep).append(e.label());
                        sep = ", ";
                    }
                }
                sb.append(')');
            }
            return sb.toString();
        }
    }

    /** Parses a build.zig.zon; see the class comment for what throws and what warns. */
    public static ZigManifest parse(byte[] source) throws ZonParseException {
        ZonValue root = ZonParser.parseLenient(source);
        if (!(root instanceof ZonValue.StructLiteral struct)) {
            throw new ZonParseException(root.position(), "expected a struct literal .{ ... } at the top level");
        }
        return new Reader(struct).read();
    }

    /** True unless some warning says Zig of this era refuses the manifest. */
    public boolean acceptedBy(ZigEra era) {
        return rejectionsFor(era).isEmpty();
    }

    /** The messages of the warnings that make this era refuse the manifest. */
    public List<String> rejectionsFor(ZigEra era) {
        List<String> out = new ArrayList<>();
        for (Warning w : warnings) {
            if (w.rejectedBy().contains(era)) {
                out.add(w.toString());
            }
        }
        return out;
    }

    /** The low 32 bits of the fingerprint: the id that goes into the new hash form; null without fingerprint. */
    public Long fingerprintId() {
        return fingerprint == null ? null : fingerprint & 0xFFFF_FFFFL;
    }

    /**
     * The version as Zig renders it into the hash: Zig's semver parser accepts {@code _} between
     * digits of the numeric parts ({@code "1_0.0.0"} becomes {@code 10.0.0}); otherwise it is the text.
     */
    public String hashVersion() {
        return ZigSemver.render(version);
    }

    /** Whether Zig's {@code .paths} filter keeps this package-relative path (see {@link ZigPathFilter}). */
    public boolean includes(String path) {
        return ZigPathFilter.of(paths).includes(path);
    }

    /** CRC-32 of the name's bytes: the upper half of a valid fingerprint. */
    public static long fingerprintChecksum(String name) {
        CRC32 crc = new CRC32();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    /** Zig's {@code std.zig.isValidId}: a bare identifier that is not a keyword. */
    public static boolean isValidIdentifier(String s) {
        if (s.isEmpty() || ZonParser.KEYWORDS.contains(s)) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            boolean digit = c >= '0' && c <= '9';
            if (!(letter || (digit && i > 0))) {
                return false;
            }
        }
        return true;
    }

    /** Walks the top-level struct once, in file order, like Zig's loader. */
    private static final class Reader {
        private final ZonValue.StructLiteral root;
        private final List<Warning> warnings = new ArrayList<>();
        private final Set<String> warningKeys = new HashSet<>();
        private String name;
        private NameForm nameForm;
        private ZonPosition namePos;
        private String version;
        private Long fingerprint;
        private ZonPosition fingerprintPos;
        private boolean fingerprintSeen;
        private boolean fingerprintUsable;
        private String minimumZigVersion;
        private List<String> paths;
        private Map<String, Dependency> dependencies = new LinkedHashMap<>();

        Reader(ZonValue.StructLiteral root) {
            this.root = root;
        }

        ZigManifest read() throws ZonParseException {
            Set<String> seen = new HashSet<>();
            for (ZonValue.Field f : root.fields()) {
                if (!seen.add(f.name()) && isKnown(f.name())) {
                    advise("field ." + f.name() + " appears more than once; Zig uses the last one", f.position());
                }
                ZonValue v = f.value();
                switch (f.name()) {
                    case "name" -> readName(v);
                    case "version" -> readVersion(v);
                    case "fingerprint" -> readFingerprint(v);
                    case "minimum_zig_version" -> {
                        minimumZigVersion = string(v, "minimum_zig_version");
                        if (ZigSemver.render(minimumZigVersion) == null) {
                            throw new ZonParseException(v.position(), "unable to parse semantic version: "
                                    + minimumZigVersion);
                        }
                    }
                    case "paths" -> readPaths(v);
                    case "dependencies" -> readDependencies(v);
                    default -> {
                        // Unknown fields are ignored by every Zig version (forward compatibility).
                    }
                }
            }
            if (name == null) {
                throw new ZonParseException(root.position(), "missing top-level 'name' field");
            }
            if (version == null) {
                throw new ZonParseException(root.position(), "missing top-level 'version' field");
            }
            checkFingerprint();
            if (paths == null) {
                advise("missing .paths: 'zig fetch' and root builds refuse the package; as a dependency all files"
                        + " are included", root.position());
            } else if (!ZigPathFilter.of(paths).includes("build.zig.zon")) {
                advise(".paths does not include build.zig.zon: Zig deletes it before hashing, so the fetched"
                        + " package has no manifest (and no dependencies)", root.position());
            }
            return new ZigManifest(name, nameForm, version, fingerprintUsable ? fingerprint : null,
                    minimumZigVersion, paths, new ArrayList<>(dependencies.values()), warnings);
        }

        private static boolean isKnown(String field) {
            return switch (field) {
                case "name", "version", "fingerprint", "minimum_zig_version", "paths", "dependencies" -> true;
                default -> false;
            };
        }

        private void readName(ZonValue v) throws ZonParseException {
            namePos = v.position();
            if (v instanceof ZonValue.StringLiteral s && !s.multiline()) {
                name = s.text();
                nameForm = NameForm.STRING;
                reject("string .name \"" + name + "\": Zig 0.16+ requires an enum literal (.name = ." + name + ")",
                        EnumSet.of(ZigEra.ZIG_0_16_AND_LATER), v.position());
                if (!isValidIdentifier(name)) {
                    reject("name must be a valid bare zig identifier", EnumSet.of(ZigEra.ZIG_0_14_TO_0_15),
                            v.position());
                }
            } else if (v instanceof ZonValue.EnumLiteral e) {
                name = e.name();
                nameForm = NameForm.ENUM_LITERAL;
                reject("enum-literal .name needs Zig 0.14+; 0.12-0.13 expect a string literal",
                        EnumSet.of(ZigEra.ZIG_0_12_TO_0_13), v.position());
                if (e.quoted()) {
                    reject("name must be a valid bare zig identifier (not .@\"...\")", NEW_HASH_ERAS, v.position());
                }
            } else if (v instanceof ZonValue.InvalidLiteral bad) {
                throw new ZonParseException(bad.position(), bad.problem());
            } else {
                throw new ZonParseException(v.position(), "expected .name to be a string or enum literal");
            }
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_NAME_BYTES) {
                reject("name '" + name + "' exceeds max length of " + MAX_NAME_BYTES + " bytes", NEW_HASH_ERAS,
                        v.position());
            }
            if (OLD_KEYWORDS.contains(name)) {
                reject("'" + name + "' is a keyword in Zig 0.14", EnumSet.of(ZigEra.ZIG_0_14_TO_0_15), v.position());
            }
        }

        private void readVersion(ZonValue v) throws ZonParseException {
            version = string(v, "version");
            String rendered = ZigSemver.render(version);
            if (rendered == null) {
                throw new ZonParseException(v.position(), "unable to parse semantic version: " + version);
            }
            int bytes = version.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_VERSION_BYTES) {
                reject("version string length " + bytes + " exceeds maximum of " + MAX_VERSION_BYTES, NEW_HASH_ERAS,
                        v.position());
            }
            if (!rendered.equals(version)) {
                advise("version '" + version + "' is not strict semver; Zig reads it as " + rendered
                        + ", and that is what the package hash names", v.position());
            }
        }

        private void readFingerprint(ZonValue v) throws ZonParseException {
            // 0.12-0.13 do not know the field and never look at its value.
            fingerprintSeen = true;
            fingerprintUsable = false;
            fingerprintPos = v.position();
            if (v instanceof ZonValue.IntLiteral i && !i.negated()) {
                if (i.value().bitLength() > 64) {
                    reject("expected u64 integer literal, found big_int", NEW_HASH_ERAS, v.position());
                } else {
                    fingerprint = i.value().longValue();
                    fingerprintUsable = true;
                }
            } else if (v instanceof ZonValue.InvalidLiteral bad) {
                reject(bad.problem(), NEW_HASH_ERAS, bad.position());
            } else {
                reject("expected integer literal for .fingerprint", NEW_HASH_ERAS, v.position());
            }
        }

        private void checkFingerprint() throws ZonParseException {
            if (!fingerprintSeen) {
                reject("missing .fingerprint: Zig 0.16+ requires it (0.14-0.15 require it of a root package;"
                        + " as a dependency the hash then uses id 0)", EnumSet.of(ZigEra.ZIG_0_16_AND_LATER),
                        root.position());
                return;
            }
            if (!fingerprintUsable) {
                return;
            }
            long id = fingerprint & 0xFFFF_FFFFL;
            long checksum = fingerprint >>> 32;
            long expected = fingerprintChecksum(name);
            if (id == 0 || id == 0xFFFF_FFFFL || checksum != expected) {
                reject(String.format("invalid fingerprint 0x%016x: the upper 32 bits must be CRC-32 of the name"
                        + " (0x%08x) and the lower 32 bits must not be 0 or 0xffffffff", fingerprint, expected),
                        NEW_HASH_ERAS, fingerprintPos);
            }
        }

        private void readPaths(ZonValue v) throws ZonParseException {
            if (!(v instanceof ZonValue.TupleLiteral t)) {
                throw new ZonParseException(v.position(), "expected paths expression to be a list of strings");
            }
            List<String> out = new ArrayList<>();
            for (ZonValue e : t.elements()) {
                String p = string(e, "paths entry");
                if (e instanceof ZonValue.StringLiteral s && !s.isValidUtf8()) {
                    advise(".paths entry is not valid UTF-8 and can match no file packbase serves", e.position());
                }
                out.add(p);
            }
            paths = out;
        }

        private void readDependencies(ZonValue v) throws ZonParseException {
            if (!(v instanceof ZonValue.StructLiteral deps)) {
                throw new ZonParseException(v.position(), "expected dependencies expression to be a struct");
            }
            // A repeated .dependencies replaces the earlier one, as a repeated field does.
            dependencies = new LinkedHashMap<>();
            for (ZonValue.Field f : deps.fields()) {
                if (dependencies.containsKey(f.name())) {
                    advise("dependency ." + f.name() + " appears more than once; Zig uses the last one", f.position());
                }
                dependencies.put(f.name(), readDependency(f));
            }
        }

        private Dependency readDependency(ZonValue.Field field) throws ZonParseException {
            if (!(field.value() instanceof ZonValue.StructLiteral dep)) {
                throw new ZonParseException(field.value().position(), "expected dependency expression to be a struct");
            }
            String url = null;
            String hash = null;
            String path = null;
            Boolean lazy = null;
            ZonPosition hashPos = null;
            for (ZonValue.Field f : dep.fields()) {
                ZonValue v = f.value();
                switch (f.name()) {
                    case "url" -> url = string(v, "url");
                    case "path" -> path = string(v, "path");
                    case "hash" -> {
                        hash = string(v, "hash");
                        hashPos = v.position();
                    }
                    case "lazy" -> {
                        if (!(v instanceof ZonValue.BoolLiteral b)) {
                            throw new ZonParseException(v.position(), "expected boolean (true or false)");
                        }
                        lazy = b.value();
                    }
                    default -> {
                    }
                }
            }
            if (url != null && path != null) {
                throw new ZonParseException(dep.position(),
                        "dependency should specify only one of 'url' and 'path' fields.");
            }
            if (url == null && path == null) {
                throw new ZonParseException(dep.position(),
                        "dependency requires location field, one of 'url' or 'path'.");
            }
            if (hash != null) {
                checkDependencyHash(field.name(), hash, hashPos);
                if (path != null) {
                    advise("path dependency ." + field.name() + " has a .hash, which is not used", hashPos);
                }
            }
            return new Dependency(field.name(), url, hash, path, lazy);
        }

        private void checkDependencyHash(String dep, String hash, ZonPosition at) throws ZonParseException {
            String what = "hash of dependency ." + dep + ": ";
            // Zig measures these strings in bytes.
            byte[] b = hash.getBytes(StandardCharsets.UTF_8);
            // 0.12-0.13 (Manifest.parseHash): multihash sha2-256, exactly 68 characters.
            if (b.length >= 2 && !(b[0] == '1' && b[1] == '2')) {
                reject(what + "only legacy sha2-256 multihashes (1220...) are supported",
                        EnumSet.of(ZigEra.ZIG_0_12_TO_0_13), at);
            } else if (b.length != LEGACY_HASH_CHARS) {
                reject(what + "wrong hash size. expected: " + LEGACY_HASH_CHARS + ", found: " + b.length,
                        EnumSet.of(ZigEra.ZIG_0_12_TO_0_13), at);
            }
            // 0.14-0.15: any string up to 110 bytes.
            if (b.length > MAX_HASH_CHARS) {
                reject(what + "hash length exceeds maximum: " + b.length, NEW_HASH_ERAS, at);
                return;
            }
            // 0.16+ (Hash.validate): the new form only, name-version-<44 base64url characters>.
            int suffix = ZigPackageHash.NEW_HASH_SUFFIX_CHARS;
            if (b.length < suffix) {
                reject(what + "invalid hash: short", EnumSet.of(ZigEra.ZIG_0_16_AND_LATER), at);
            } else {
                int dashes = 0;
                for (int i = 0; i < b.length - suffix; i++) {
                    if (b[i] == '-') {
                        dashes++;
                    }
                }
                if (dashes < 2) {
                    reject(what + "invalid hash: incomplete (legacy 1220... hashes are refused by 0.16+)",
                            EnumSet.of(ZigEra.ZIG_0_16_AND_LATER), at);
                }
            }
        }

        /** A plain one-line string literal, the only string form Zig's loader reads. */
        private static String string(ZonValue v, String what) throws ZonParseException {
            if (v instanceof ZonValue.StringLiteral s && !s.multiline()) {
                return s.text();
            }
            if (v instanceof ZonValue.InvalidLiteral bad) {
                throw new ZonParseException(bad.position(), bad.problem());
            }
            throw new ZonParseException(v.position(), "expected string literal for " + what);
        }

        private void reject(String message, Set<ZigEra> eras, ZonPosition at) throws ZonParseException {
            add(new Warning(message, eras, at));
        }

        private void advise(String message, ZonPosition at) throws ZonParseException {
            add(new Warning(message, Set.of(), at));
        }

        /** Keeps the first of identical warnings (repeated fields repeat them) and bounds the list. */
        private void add(Warning w) throws ZonParseException {
            if (!warningKeys.add(w.message() + w.rejectedBy())) {
                return;
            }
            if (warnings.size() >= MAX_WARNINGS) {
                throw new ZonParseException(w.position() == null ? root.position() : w.position(),
                        "more than " + MAX_WARNINGS + " problems; not a plausible build.zig.zon");
            }
            warnings.add(w);
        }
    }

    /** Zig's {@code std.SemanticVersion.parse}, reduced to "valid?" and "how Zig prints it". */
    static final class ZigSemver {
        private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

        private ZigSemver() {
        }

        /** The version as Zig's formatter prints it, or null when Zig's parser rejects it. */
        static String render(String text) {
            int extra = -1;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '-' || c == '+') {
                    extra = i;
                    break;
                }
            }
            String required = extra < 0 ? text : text.substring(0, extra);
            String[] parts = required.split("\\.", -1);
            if (parts.length != 3) {
                return null;
            }
            StringBuilder out = new StringBuilder();
            for (int k = 0; k < 3; k++) {
                BigInteger n = number(parts[k]);
                if (n == null) {
                    return null;
                }
                out.append(k == 0 ? "" : ".").append(n);
            }
            if (extra < 0) {
                return out.toString();
            }
            String rest = text.substring(extra);
            String pre = null;
            String build = null;
            if (rest.charAt(0) == '-') {
                int plus = rest.indexOf('+');
                pre = plus < 0 ? rest.substring(1) : rest.substring(1, plus);
                build = plus < 0 ? null : rest.substring(plus + 1);
            } else {
                build = rest.substring(1);
            }
            if (pre != null) {
                for (String id : pre.split("\\.", -1)) {
                    if (!identifier(id)) {
                        return null;
                    }
                    if (id.chars().allMatch(c -> c >= '0' && c <= '9') && number(id) == null) {
                        return null;
                    }
                }
                out.append('-').append(pre);
            }
            if (build != null) {
                for (String id : build.split("\\.", -1)) {
                    if (!identifier(id)) {
                        return null;
                    }
                }
                out.append('+').append(build);
            }
            return out.toString();
        }

        private static boolean identifier(String id) {
            if (id.isEmpty()) {
                return false;
            }
            for (int i = 0; i < id.length(); i++) {
                char c = id.charAt(i);
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) {
                    return false;
                }
            }
            return true;
        }

        /** A usize as Zig's parseUnsigned reads it: digits with inner {@code _}, no leading zero, ≤ u64. */
        private static BigInteger number(String s) {
            if (s.isEmpty() || (s.length() > 1 && s.charAt(0) == '0')) {
                return null;
            }
            if (s.charAt(0) == '_' || s.charAt(s.length() - 1) == '_') {
                return null;
            }
            StringBuilder digits = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '_') {
                    continue;
                }
                if (c < '0' || c > '9') {
                    return null;
                }
                digits.append(c);
            }
            if (digits.length() > 40) {
                return null;
            }
            BigInteger n = new BigInteger(digits.toString());
            return n.compareTo(U64_MAX) > 0 ? null : n;
        }
    }
}
