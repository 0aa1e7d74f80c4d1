package dev.packbase.zig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-checks {@link ZigPackageHash} against real Zig binaries: each small package below is written
 * as a directory and as a .tar.gz, fetched with {@code zig fetch <path>}, and the printed hash must
 * equal {@link ZigPackageHash.Result#hashFor} for that Zig's era. Where we predict that a Zig
 * refuses the package (null), that Zig must fail.
 *
 * <p>Zig installs are looked up in {@code PACKBASE_ZIG_HOME} (system property
 * {@code packbase.zig.home} first, default {@code ~/.cache/packbase/zig}): each subdirectory holds
 * either {@code ziglang/zig} (a PyPI {@code ziglang} wheel installed with {@code pip --target}) or
 * {@code zig}. With none installed the test fails and says how to install them.
 *
 * <p>The global caches live in a class-wide temporary directory, one per version, because Zig 0.17
 * compiles its package fetcher on first use (about 100 s on a small machine); every fetch after
 * that takes well under a second.
 */
@Tag("zig")
class ZigHashRealZigIT {
    private static final Logger LOG = Logger.getLogger(ZigHashRealZigIT.class.getName());
    private static final long TIMEOUT_SECONDS = 900;
    private static final String INSTALL_HINT = "Install Zig releases from PyPI, e.g.\n"
            + "  for v in 0.13.0 0.14.1 0.15.1 0.16.0 0.17.1; do\n"
            + "    pip install --target ~/.cache/packbase/zig/$v ziglang==$v\n"
            + "  done\n"
            + "or point PACKBASE_ZIG_HOME (-Dpackbase.zig.home=...) at a directory of <version>/ziglang/zig.";

    @TempDir
    static Path caches;

    /** A Zig binary and the era its version falls into. */
    private record Zig(String version, Path binary, ZigEra era) {
    }

    /** One entry of a test package: a file (optionally executable), a symlink, or an empty directory. */
    private record Node(String path, byte[] content, boolean executable, String linkTarget, boolean emptyDir) {
        static Node file(String path, String content) {
            return new Node(path, content.getBytes(StandardCharsets.UTF_8), false, null, false);
        }

        static Node executable(String path, String content) {
            return new Node(path, content.getBytes(StandardCharsets.UTF_8), true, null, false);
        }

        static Node link(String path, String target) {
            return new Node(path, null, false, target, false);
        }

        static Node emptyDir(String path) {
            return new Node(path, null, false, null, true);
        }
    }

    /** A package: a name for the test and its entries. */
    private record Pkg(String name, List<Node> nodes) {
    }

    private static String fingerprint(String name) {
        return "0x" + Long.toHexString(ZigManifest.fingerprintChecksum(name) << 32 | 0x2a2b2c2dL);
    }

    private static Node modernZon(String name, String version, String paths, String extra) {
        return Node.file("build.zig.zon", ".{\n    .name = ." + name + ",\n    .version = \"" + version + "\",\n"
                + "    .fingerprint = " + fingerprint(name) + ",\n    .minimum_zig_version = \"0.14.0\",\n"
                + "    .paths = .{ " + paths + " },\n" + extra + "}\n");
    }

    private static List<Pkg> packages() {
        List<Pkg> p = new ArrayList<>();
        p.add(new Pkg("modern", List.of(
                modernZon("modern", "1.2.3-rc.1+build.7", "\"build.zig\", \"build.zig.zon\", \"src\"",
                        "    .dependencies = .{},\n"),
                Node.file("build.zig", "const std = @import(\"std\");\n"),
                Node.file("src/main.zig", "pub fn main() void {}\n"),
                Node.file("src/nested/deep/data.txt", "deep\n"),
                Node.file("src/\u00fcn\u00efc\u00f8de-\uD83D\uDE00.txt", "non-ascii name\n"),
                Node.file("README.md", "excluded\n"))));
        p.add(new Pkg("legacy-string-name", List.of(
                Node.file("build.zig.zon", ".{\n    .name = \"legacy\",\n    .version = \"0.3.0\",\n"
                        + "    .dependencies = .{\n        .dep = .{\n"
                        + "            .url = \"https://example.invalid/dep.tar.gz\",\n"
                        + "            .hash = \"1220" + "0123456789abcdef".repeat(4) + "\",\n        },\n    },\n"
                        + "    .paths = .{\"\"},\n}\n"),
                Node.file("legacy.zig", "// a file\n"))));
        p.add(new Pkg("legacy-filter-and-links", List.of(
                Node.file("build.zig.zon", ".{\n    .name = \"oldstyle\",\n    .version = \"0.0.0\",\n"
                        + "    .paths = .{ \"build.zig.zon\", \"lib\", \"tool.sh\", \"ln\" },\n}\n"),
                Node.file("lib/x.zig", "x\n"),
                Node.link("lib/alias.zig", "x.zig"),
                Node.executable("tool.sh", "#!/bin/sh\n"),
                Node.link("ln", "lib"),
                Node.file("notes.txt", "excluded\n"))));
        p.add(new Pkg("paths-filter", List.of(
                modernZon("filtered", "0.0.1", "\"build.zig.zon\", \"./src/\", \"docs/../LICENSE\", \"missing\"",
                        "    .future_field = .{ .s = \"\\q not read\", .n = 0b12 },\n"),
                Node.file("src/a.zig", "a\n"),
                Node.file("src/sub/b.zig", "b\n"),
                Node.file("srcx/not.zig", "prefix is not a directory match\n"),
                Node.file("LICENSE", "MIT\n"),
                Node.file("license", "case differs: excluded\n"),
                Node.file("docs/guide.md", "excluded\n"),
                Node.file("build.zig", "excluded\n"))));
        p.add(new Pkg("symlink-and-executable", List.of(
                modernZon("links", "2.0.0", "\"\"", ""),
                Node.executable("run.sh", "#!/bin/sh\necho hi\n"),
                Node.executable("bin/tool", "\u007fELF not really\n"),
                Node.file("src/target.txt", "target\n"),
                Node.link("link-to-file", "src/target.txt"),
                Node.link("src/link-to-dir", "../bin"),
                Node.link("dangling", "does/not/exist"),
                Node.file("same-bytes-as-link", "src/target.txt"))));
        p.add(new Pkg("naked", List.of(
                Node.file("foo-bar", "1"),
                Node.file("foo/x", "2"),
                Node.file("foo.txt", "3"),
                Node.file("foo0", "4"),
                Node.file("\uFF01", "5"),
                Node.file("\uD83D\uDE00", "6"),
                Node.file("sub/build.zig.zon", "not a manifest: only the root one counts"),
                Node.emptyDir("empty/inner"))));
        p.add(new Pkg("manifest-excluded", List.of(
                modernZon("nomani", "0.1.0", "\"src\"", ""),
                Node.file("src/only.zig", "only\n"))));
        p.add(new Pkg("zig-semver-quirk", List.of(
                modernZon("quirk", "1_0.0.0", "\"\"", ""),
                Node.file("a", ""))));
        return p;
    }

    @TestFactory
    Stream<DynamicNode> zigFetchPrintsTheHashWeCompute(@TempDir Path tmp) throws IOException {
        List<Zig> zigs = findZigs();
        if (zigs.isEmpty()) {
            fail("No Zig binary found under " + zigHome() + ".\n" + INSTALL_HINT);
        }
        List<DynamicNode> perVersion = new ArrayList<>();
        for (Zig zig : zigs) {
            List<DynamicNode> tests = new ArrayList<>();
            for (Pkg pkg : packages()) {
                for (String form : List.of("dir", "tar.gz")) {
                    tests.add(DynamicTest.dynamicTest(pkg.name() + " as " + form, () -> check(zig, pkg, form, tmp)));
                }
            }
            perVersion.add(DynamicContainer.dynamicContainer("zig " + zig.version() + " (" + zig.era().label() + ")",
                    tests));
        }
        return perVersion.stream();
    }

    private void check(Zig zig, Pkg pkg, String form, Path tmp) throws Exception {
        Path work = Files.createTempDirectory(tmp, zig.version() + "-" + pkg.name() + "-");
        Path source = form.equals("dir") ? writeDirectory(pkg, work.resolve(pkg.name()))
                : writeTarGz(pkg, work.resolve(pkg.name() + ".tar.gz"));
        ZigPackageHash.Result ours = hash(pkg);
        String expected = ours.hashFor(zig.era());

        // 0.16+ extracts into the current project's zig-pkg/, so zig fetch needs a build.zig to stand in.
        Path project = Files.createDirectories(work.resolve("project"));
        Files.writeString(project.resolve("build.zig"), "");
        Run run = zig(zig, project, work, "fetch", source.toString());
        String printed = lastLine(run.stdout());
        if (expected == null) {
            assertNotEquals(0, run.exit(), "we predicted that zig " + zig.version() + " refuses " + pkg.name()
                    + " (" + ours.hashUnavailableReason() + ", " + ours.warnings() + ") but it printed " + printed);
            LOG.info(() -> "zig " + zig.version() + " " + pkg.name() + " " + form + ": refused as predicted: "
                    + firstLine(run.stderr()));
            return;
        }
        if (run.exit() != 0 || !expected.equals(printed)) {
            Run debug = zig(zig, project, work, "fetch", "--debug-hash", source.toString());
            fail("zig " + zig.version() + " on " + pkg.name() + " (" + form + "): expected " + expected
                    + "\nzig exit " + run.exit() + ", printed: " + printed + "\nstderr:\n" + run.stderr()
                    + "\n--debug-hash:\n" + debug.stdout() + "\nour result: " + ours);
        }
        assertEquals(expected, printed);
        LOG.info(() -> "zig " + zig.version() + " " + pkg.name() + " " + form + ": " + printed);
    }

    private static ZigPackageHash.Result hash(Pkg pkg) throws IOException {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        for (Node n : pkg.nodes()) {
            if (n.linkTarget() != null) {
                b.symlink(n.path(), n.linkTarget());
            } else if (!n.emptyDir()) {
                try (OutputStream s = b.file(n.path())) {
                    // Written in two chunks on purpose: the sink must not care.
                    int half = n.content().length / 2;
                    s.write(n.content(), 0, half);
                    s.write(n.content(), half, n.content().length - half);
                }
            }
        }
        return b.finish();
    }

    private static Path writeDirectory(Pkg pkg, Path root) throws IOException {
        Files.createDirectories(root);
        for (Node n : pkg.nodes()) {
            Path p = root.resolve(n.path());
            if (n.emptyDir()) {
                Files.createDirectories(p);
                continue;
            }
            Files.createDirectories(p.getParent());
            if (n.linkTarget() != null) {
                Files.createSymbolicLink(p, Paths.get(n.linkTarget()));
            } else {
                Files.write(p, n.content());
                if (n.executable()) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
        }
        return root;
    }

    /** A tarball with one top-level directory and explicit directory entries, like packbase writes. */
    private static Path writeTarGz(Pkg pkg, Path file) throws IOException {
        String top = pkg.name() + "/";
        try (OutputStream out = Files.newOutputStream(file);
                GZIPOutputStream gz = new GZIPOutputStream(out);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            java.util.Set<String> dirs = new java.util.LinkedHashSet<>();
            dirs.add(top);
            for (Node n : pkg.nodes()) {
                String path = n.emptyDir() ? n.path() + "/x" : n.path();
                for (int s = path.indexOf('/'); s >= 0; s = path.indexOf('/', s + 1)) {
                    dirs.add(top + path.substring(0, s + 1));
                }
            }
            for (String d : dirs) {
                TarArchiveEntry e = new TarArchiveEntry(d);
                e.setMode(040755);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
            for (Node n : pkg.nodes()) {
                if (n.emptyDir()) {
                    continue;
                }
                TarArchiveEntry e;
                if (n.linkTarget() != null) {
                    e = new TarArchiveEntry(top + n.path(), TarConstants.LF_SYMLINK);
                    e.setLinkName(n.linkTarget());
                    e.setMode(0120777);
                } else {
                    e = new TarArchiveEntry(top + n.path());
                    e.setSize(n.content().length);
                    e.setMode(n.executable() ? 0100755 : 0100644);
                }
                tar.putArchiveEntry(e);
                if (n.content() != null) {
                    tar.write(n.content());
                }
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    // ------------------------------------------------------------------ running zig

    private record Run(int exit, String stdout, String stderr) {
    }

    private static Run zig(Zig zig, Path cwd, Path work, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(zig.binary().toString());
        cmd.addAll(List.of(args));
        // The persistent per-version cache of the other zig tests: Zig 0.17 compiles its fetcher
        // (about 100 s) into it once. A fetch without an expected hash always reads the source anyway.
        Path global = Files.createDirectories(dev.packbase.testing.Zig.home().resolve("cache").resolve(zig.version()));
        Path local = Files.createDirectories(work.resolve("local-cache"));
        return exec(cmd, cwd, Map.of("ZIG_GLOBAL_CACHE_DIR", global.toString(), "ZIG_LOCAL_CACHE_DIR", local.toString()),
                work);
    }

    private static Run exec(List<String> cmd, Path cwd, Map<String, String> env, Path work)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static String firstLine(String s) {
        return s.strip().split("\n")[0];
    }

    private static Path zigHome() {
        String prop = System.getProperty("packbase.zig.home");
        String env = System.getenv("PACKBASE_ZIG_HOME");
        String home = prop != null && !prop.isBlank() ? prop : env != null && !env.isBlank() ? env
                : System.getProperty("user.home") + "/.cache/packbase/zig";
        return Paths.get(home);
    }

    private static List<Zig> findZigs() throws IOException {
        Path home = zigHome();
        List<Zig> found = new ArrayList<>();
        if (!Files.isDirectory(home)) {
            return found;
        }
        Map<String, Path> candidates = new LinkedHashMap<>();
        try (Stream<Path> dirs = Files.list(home)) {
            dirs.sorted().forEach(d -> {
                for (Path bin : List.of(d.resolve("ziglang").resolve("zig"), d.resolve("zig"))) {
                    if (Files.isExecutable(bin) && !Files.isDirectory(bin)) {
                        candidates.put(d.getFileName().toString(), bin);
                        break;
                    }
                }
            });
        }
        Path scratch = Files.createDirectories(caches.resolve("version-probe"));
        for (Path bin : candidates.values()) {
            String version;
            try {
                Run r = exec(List.of(bin.toString(), "version"), scratch,
                        Map.of("ZIG_GLOBAL_CACHE_DIR", scratch.resolve("g").toString()), scratch);
                version = r.stdout().strip();
            } catch (IOException e) {
                LOG.warning(() -> "cannot run " + bin + ": " + e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            ZigEra era = eraOf(version);
            if (era == null) {
                LOG.warning(() -> "ignoring " + bin + ": version '" + version + "' predates 0.12");
                continue;
            }
            found.add(new Zig(version, bin, era));
        }
        return found;
    }

    private static ZigEra eraOf(String version) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)\\..*").matcher(version);
        if (!m.matches()) {
            return null;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major > 0 || minor >= 16) {
            return ZigEra.ZIG_0_16_AND_LATER;
        }
        if (minor >= 14) {
            return ZigEra.ZIG_0_14_TO_0_15;
        }
        return minor >= 12 ? ZigEra.ZIG_0_12_TO_0_13 : null;
    }
}
