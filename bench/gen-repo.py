#!/usr/bin/env python3
"""Generates the benchmark upstream repositories, shared by the scripts under bench/.

usage: gen-repo.py <work dir> <package> <files> <tags> <commits per tag> <mean file KiB> <churn> <seed>
       gen-repo.py --shape <shape> <work dir> <package> <seed>
       gen-repo.py --shapes            (prints the shape names, one per line)

A Git work tree at <work dir> with Zig-like sources, docs and a few incompressible test vectors,
built commit by commit with fixed dates (same seed, same repository, same commit ids), a valid
build.zig.zon per release, and one annotated tag v1.<n>.0 per release.

A shape adds what the generic form lacks and the packages people publish have (see SHAPES): large
files (vendored C sources, generated tables, test images), binaries, long histories with many tags,
or thousands of small files. The large files change only at a few releases, as vendored code and
assets do. The last line printed is the last tag.
"""
import math, os, random, subprocess, sys, zlib

# Shapes taken from public Zig packages. "large" lists extra files: (path, kind, KiB, releases at
# which it changes; 0 = added at the first release and never changed).
SHAPES = {
    # Our original generator's repository: many mid-sized Zig sources, short history.
    "generated": dict(files=300, tags=20, per_tag=3, kb=10, churn=0.04, large=[]),
    # An image or game library (zigimg-, raylib-binding-like): few sources, a 1 MiB binary image and
    # test images, eight releases over a long history.
    "image": dict(files=60, tags=8, per_tag=58, kb=6, churn=0.03, large=[
        ("assets/logo.png", "binary", 1024, [0]),
        ("tests/images/rgba_64x64.png", "binary", 48, [0]),
        ("tests/images/gradient.qoi", "binary", 180, [0, 5]),
        ("tests/images/palette.bmp", "binary", 96, [0]),
        ("tests/images/photo.jpg", "binary", 310, [0, 3])]),
    # A wrapper of a vendored C library (zig-sqlite-, mach-glfw-, zlib-package-like): a C amalgamation
    # of a few MiB and its header, more C files, a generated Unicode table; the vendored sources are
    # upgraded at a few releases.
    "vendored": dict(files=40, tags=12, per_tag=25, kb=5, churn=0.04, large=[
        ("c/amalgamation.c", "c", 3072, [0, 4, 9]),
        ("c/amalgamation.h", "c", 640, [0, 4, 9]),
        ("c/ext/fts5.c", "c", 380, [0, 9]),
        ("c/ext/json.c", "c", 210, [0]),
        ("src/unicode_tables.zig", "table", 900, [0, 6])]),
    # A small, long-lived library (zig-clap-, known-folders-like): 120 releases over 600 commits.
    "many-tags": dict(files=40, tags=120, per_tag=5, kb=4, churn=0.08, large=[]),
    # Thousands of small files (a protocol-definition or bindings package): 3,000 files of 1 to 3 KiB.
    "many-small": dict(files=3000, tags=10, per_tag=4, kb=0.8, churn=0.01, large=[]),
}

if sys.argv[1:2] == ["--shapes"]:
    print("\n".join(SHAPES))
    sys.exit(0)
if sys.argv[1:2] == ["--shape"]:
    if len(sys.argv) != 6 or sys.argv[2] not in SHAPES:
        sys.exit(f"usage: gen-repo.py --shape <{'|'.join(SHAPES)}> <work dir> <package> <seed>")
    shape = SHAPES[sys.argv[2]]
    work, pkg, seed = sys.argv[3], sys.argv[4], int(sys.argv[5])
    nfiles, ntags, per_tag, kb, churn = (shape[k] for k in ("files", "tags", "per_tag", "kb", "churn"))
    large = shape["large"]
else:
    work, pkg = sys.argv[1], sys.argv[2]
    nfiles, ntags, per_tag, kb = (int(a) for a in sys.argv[3:7])
    churn, seed = float(sys.argv[7]), int(sys.argv[8])
    large = []
rnd = random.Random(seed)
WORDS = ("alloc buffer reader writer token parser node tree list map index cache entry key value "
         "hash digest stream frame header block chunk page slot queue stack heap arena pool slice "
         "offset length count limit width height depth level state mode flags kind tag name path "
         "file dir socket conn request response client server handle event timer clock signal mutex "
         "lock cond thread task worker job batch range span cursor iter step seed rand bits byte word "
         "text line column row cell grid matrix vector point rect color pixel image font glyph").split()
TYPES = ["u8", "u16", "u32", "u64", "usize", "i32", "i64", "bool", "f32", "f64", "[]const u8"]
MODULES = ["core", "io", "net", "fmt", "text", "math", "mem", "hash", "compress", "json", "http",
           "crypto", "sort", "time", "fs", "os", "log", "test_util"]

def ident(capital=False):
    a, b = rnd.choice(WORDS), rnd.choice(WORDS)
    s = a + b.capitalize()
    return s[0].upper() + s[1:] if capital else s

def stmt(depth):
    r = rnd.random()
    pad = "    " * depth
    if r < 0.25:
        return f"{pad}const {ident()} = {ident()}.{ident()}({ident()}, {rnd.randint(0, 4096)});\n"
    if r < 0.45:
        return f"{pad}{ident()} += @as({rnd.choice(TYPES[:6])}, @intCast({ident()}.len)) * {rnd.randint(1, 64)};\n"
    if r < 0.6 and depth < 3:
        body = "".join(stmt(depth + 1) for _ in range(rnd.randint(1, 3)))
        return f"{pad}if ({ident()} {rnd.choice(['<', '>', '==', '!='])} {ident()}) {{\n{body}{pad}}}\n"
    if r < 0.72 and depth < 3:
        body = "".join(stmt(depth + 1) for _ in range(rnd.randint(1, 3)))
        return f"{pad}for ({ident()}.items) |{ident()}| {{\n{body}{pad}}}\n"
    if r < 0.85:
        return f"{pad}try {ident()}.append({ident()}, {ident()});\n"
    return f"{pad}// {' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 12)))}\n"

def function():
    name = ident()
    params = ", ".join(f"{ident()}: {rnd.choice(TYPES)}" for _ in range(rnd.randint(0, 4)))
    doc = f"/// {' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(6, 16))).capitalize()}.\n"
    body = "".join(stmt(1) for _ in range(rnd.randint(3, 14)))
    ret = rnd.choice(TYPES[:8])
    return f"{doc}pub fn {name}({params}) !{ret} {{\n{body}    return {ident()};\n}}\n\n"

def test_block():
    body = "".join(stmt(1) for _ in range(rnd.randint(2, 6)))
    return f'test "{" ".join(rnd.choice(WORDS) for _ in range(3))}" {{\n{body}}}\n\n'

def target_size():
    mean = kb * 1024
    return int(min(200 * 1024, max(400, rnd.lognormvariate(math.log(mean) - 0.5, 1.0))))

def new_zig(size):
    head = "".join(f'const {ident()} = @import("{rnd.choice(MODULES)}.zig");\n' for _ in range(rnd.randint(2, 6)))
    chunks = ['//! ' + ' '.join(rnd.choice(WORDS) for _ in range(12)) + '\nconst std = @import("std");\n' + head + "\n"]
    total = len(chunks[0])
    while total < size:
        c = test_block() if rnd.random() < 0.15 else function()
        chunks.append(c)
        total += len(c)
    return chunks

def new_doc(size):
    chunks, total = [f"# {ident(True)}\n\n"], 0
    while total < size:
        c = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(30, 90))).capitalize() + ".\n\n"
        chunks.append(c)
        total += len(c)
    return chunks

files = {}  # path -> list of chunks (text) or bytes (binary test data)
def add_file():
    r = rnd.random()
    n = len(files)
    if r < 0.86:
        path = f"src/{rnd.choice(MODULES)}/{ident()}_{n}.zig"
        files[path] = new_zig(target_size())
    elif r < 0.95:
        path = f"docs/{ident()}_{n}.md"
        files[path] = new_doc(target_size())
    else:  # incompressible test vectors, as real repositories have
        path = f"testdata/{ident()}_{n}.bin"
        files[path] = rnd.randbytes(rnd.randint(2, 48) * 1024)
    dirty.add(path)

def write(path, content):
    dirty.discard(path)
    full = os.path.join(work, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    if isinstance(content, bytes):
        with open(full, "wb") as f:
            f.write(content)
    else:
        with open(full, "w") as f:
            f.write("".join(content))

C_TYPES = ["int", "unsigned", "size_t", "uint8_t", "uint32_t", "int64_t", "double", "const char *", "void *"]
def c_function():
    name = "lib_" + ident()
    params = ", ".join(f"{rnd.choice(C_TYPES)} {ident()}" for _ in range(rnd.randint(1, 4)))
    lines = []
    for _ in range(rnd.randint(4, 20)):
        r = rnd.random()
        if r < 0.35:
            lines.append(f"  {ident()} = {ident()}({ident()}, {rnd.randint(0, 4096)});\n")
        elif r < 0.55:
            lines.append(f"  if( {ident()}->{ident()} {rnd.choice(['<', '>', '==', '!='])} {ident()} ){{\n"
                         f"    {ident()} += {rnd.randint(1, 64)};\n  }}\n")
        elif r < 0.7:
            lines.append(f"  for({ident()}=0; {ident()}<{ident()}->n{ident(True)}; {ident()}++){{ {ident()}[{ident()}] = 0; }}\n")
        else:
            lines.append(f"  /* {' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 14)))} */\n")
    return (f"/*\n** {' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 20))).capitalize()}.\n*/\n"
            f"static {rnd.choice(C_TYPES)} {name}({params}){{\n{''.join(lines)}  return {ident()};\n}}\n\n")

def table_rows():
    start = rnd.randrange(0, 0x10FFFF)
    return "    " + ", ".join(f".{{ 0x{start + i * rnd.randint(1, 3):05X}, {rnd.randint(0, 31)} }}" for i in range(6)) + ",\n"

def new_large(kind, size):
    """A large file of `size` bytes: a list of chunks (text) or bytes (binary)."""
    if kind == "binary":  # images and other assets are already compressed: incompressible bytes
        return rnd.randbytes(size)
    chunks, total = (["/* Vendored from upstream; do not edit. */\n#include <stdint.h>\n\n"] if kind == "c"
                     else ["//! Generated by gen_tables.zig; do not edit.\npub const table = [_]Entry{\n"]), 0
    while total < size:
        c = c_function() if kind == "c" else table_rows()
        chunks.append(c)
        total += len(c)
    if kind == "table":
        chunks.append("};\n")
    return chunks

def upgrade(path, kind, chunks, size):
    """A vendored upgrade: a new image, or about a fifth of the source's chunks rewritten."""
    if kind == "binary":
        return new_large(kind, size)
    for i in rnd.sample(range(1, len(chunks) - 1), max(1, len(chunks) // 5)):
        chunks[i] = c_function() if kind == "c" else table_rows()
    return chunks

big = {}  # path -> content of the shape's large files
dirty = set()  # paths to write before the next commit
fingerprint = (zlib.crc32(pkg.encode()) << 32) | rnd.getrandbits(32)
# Vendored sources and assets are part of the package; tests are not (as in most published packages).
extra_paths = sorted({p.split("/")[0] for p, *_ in large} - {"src", "tests"})
PATHS = ", ".join(f'"{p}"' for p in ["build.zig", "build.zig.zon", "src", *extra_paths, "LICENSE", "README.md"])
def manifest(version):
    return (f'.{{\n    .name = .{pkg},\n    .version = "{version}",\n    .fingerprint = 0x{fingerprint:016x},\n'
            f'    .minimum_zig_version = "0.14.0",\n    .dependencies = .{{}},\n'
            f'    .paths = .{{ {PATHS} }},\n}}\n')

BUILD_ZIG = ('const std = @import("std");\n\npub fn build(b: *std.Build) void {\n'
             f'    _ = b.addModule("{pkg}", .{{ .root_source_file = b.path("src/root.zig") }});\n}}\n')

env = dict(os.environ, GIT_AUTHOR_NAME="Bench Author", GIT_AUTHOR_EMAIL="author@example.invalid",
           GIT_COMMITTER_NAME="Bench Committer", GIT_COMMITTER_EMAIL="committer@example.invalid")
def git(*args, when=None):
    e = dict(env)
    if when is not None:
        e["GIT_AUTHOR_DATE"] = e["GIT_COMMITTER_DATE"] = f"{when} +0000"
    subprocess.run(["git", "-C", work, *args], check=True, env=e, stdout=subprocess.DEVNULL)

os.makedirs(work, exist_ok=True)
git("init", "-q", "-b", "main")
initial = max(10, int(nfiles * 0.8)) - 5  # the rest is added commit by commit; 5 fixed files
while len(files) < initial:
    add_file()
total_commits = ntags * per_tag
to_add = max(0, nfiles - 5 - initial)
t0 = 1704067200  # 2024-01-01T00:00:00Z
commit_no = 0
for tag in range(ntags):
    for c in range(per_tag):
        if commit_no > 0:
            text = [p for p, v in files.items() if not isinstance(v, bytes)]
            for p in rnd.sample(text, max(1, int(len(text) * churn))):
                chunks = files[p]
                dirty.add(p)
                i = rnd.randrange(1, len(chunks)) if len(chunks) > 1 else 0
                if rnd.random() < 0.6:
                    chunks[i] = function() if p.endswith(".zig") else new_doc(300)[1]
                else:
                    chunks.insert(i, function() if p.endswith(".zig") else new_doc(300)[1])
            adds = to_add * commit_no // (total_commits - 1) - to_add * (commit_no - 1) // (total_commits - 1) \
                if total_commits > 1 else 0
            for _ in range(adds):
                add_file()
        version = f"1.{tag}.0"
        if c == 0:
            for path, kind, size_kb, changes in large:
                if tag == 0:
                    big[path] = new_large(kind, size_kb * 1024)
                elif tag in changes:
                    big[path] = upgrade(path, kind, big[path], size_kb * 1024)
                else:
                    continue
                dirty.add(path)
        for p in sorted(dirty):
            write(p, files[p] if p in files else big[p])
        write("build.zig.zon", manifest(version))
        write("build.zig", BUILD_ZIG)
        write("src/root.zig", [f'//! {pkg} {version}\npub const version = "{version}";\n'])
        write("LICENSE", ["MIT License\n\nCopyright (c) 2024 Bench Author\n"])
        write("README.md", [f"# {pkg}\n\nGenerated benchmark package, release {version}.\n"])
        git("add", "-A")
        git("commit", "-q", "-m", f"{'Release ' + version if c == per_tag - 1 else 'Work towards ' + version} ({commit_no})",
            when=t0 + commit_no * 86400)
        commit_no += 1
    git("tag", "-a", f"v{version}", "-m", f"{pkg} {version}", when=t0 + (commit_no - 1) * 86400 + 60)
print(f"v{version}")
