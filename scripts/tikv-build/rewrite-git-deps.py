#!/usr/bin/env python3
"""Rewrites every cargo git dependency in the given Cargo.toml files to a `path =` dependency.

usage: rewrite-git-deps.py MAP_FILE CARGO_TOML...

MAP_FILE lines: `<canonical url> <crate name> <absolute dir>` (written by build.sh from deps.tsv).
Handles inline tables (`name = { git = "...", branch = "...", features = [...] }`, possibly
spanning lines) and dotted tables (`[dependencies.name]` followed by `git = ...` lines), in any
section ([dependencies], [dev-dependencies], target tables, [workspace.dependencies], [patch.*]).
`package = "..."` renames are honoured. Idempotent (a file without git dependencies is left
alone). A git dependency the map does not cover is an error, except inside [patch.*] sections of
non-root manifests (cargo ignores those), so nothing is silently fetched from the network.
"""
import re
import sys


def canon(url: str) -> str:
    url = url.strip().lower().rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def load_map(path):
    m = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                url, crate, d = line.split()
                m[(url, crate)] = d
    return m


GIT_KEYS = re.compile(r'\s*\b(git|branch|rev|tag)\s*=\s*"[^"]*"\s*,?')
INLINE = re.compile(
    r'^(?P<key>[A-Za-z0-9_\-"]+)\s*=\s*\{(?P<body>[^{}]*?\bgit\s*=\s*"[^"]*"[^{}]*)\}', re.M | re.S
)
HEADER = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", re.M)


def section_at(text, pos):
    last = None
    for h in HEADER.finditer(text, 0, pos):
        last = h.group(1).strip()
    return last or ""


def rewrite(text, m, fname, root):
    missing, skipped = [], []

    def lookup(url, crate, section):
        d = m.get((canon(url), crate))
        if d is None:
            if section.startswith("patch") and not root:
                skipped.append(f"{fname}: [{section}] {crate} from {url} (ignored by cargo)")
            else:
                missing.append(f"{fname}: {crate} from {url}")
        return d

    def inline(mo):
        key = mo.group("key").strip('"')
        body = mo.group("body")
        url = re.search(r'\bgit\s*=\s*"([^"]*)"', body).group(1)
        pkg = re.search(r'\bpackage\s*=\s*"([^"]*)"', body)
        d = lookup(url, pkg.group(1) if pkg else key, section_at(text, mo.start()))
        if d is None:
            return mo.group(0)
        rest = GIT_KEYS.sub(" ", body).strip().strip(",").strip()
        return f'{mo.group("key")} = {{ path = "{d}"' + (f", {rest}" if rest else "") + " }"

    text = INLINE.sub(inline, text)

    # dotted tables: [dependencies.rocksdb] with git/branch/package keys on their own lines
    lines = text.split("\n")
    out, block, crate, section = [], [], None, ""

    def flush():
        nonlocal block
        gitline = next((l for l in block if re.match(r'^\s*git\s*=\s*"', l)), None)
        if gitline is None:
            out.extend(block)
        else:
            pkg = next((re.match(r'^\s*package\s*=\s*"([^"]*)"', l).group(1) for l in block
                        if re.match(r'^\s*package\s*=', l)), None)
            url = re.match(r'^\s*git\s*=\s*"([^"]*)"', gitline).group(1)
            d = lookup(url, pkg or crate, section)
            if d is None:
                out.extend(block)
            else:
                for l in block:
                    if l is gitline:
                        out.append(f'path = "{d}"')
                    elif not re.match(r'^\s*(branch|rev|tag)\s*=', l):
                        out.append(l)
        block = []

    for line in lines:
        hm = HEADER.match(line)
        if hm:
            flush()
            section = hm.group(1).strip()
            dm = re.match(r".*dependencies\.([A-Za-z0-9_\-\"]+)$", section)
            crate = dm.group(1).strip('"') if dm else None
            out.append(line)
        elif crate:
            block.append(line)
        else:
            out.append(line)
    flush()
    return "\n".join(out), missing, skipped


def main():
    m = load_map(sys.argv[1])
    root = None
    files = sys.argv[2:]
    if files and files[0].startswith("--root="):
        root = files[0][len("--root="):]
        files = files[1:]
    all_missing = []
    for f in files:
        with open(f) as fh:
            old = fh.read()
        if not re.search(r'^[^#\n]*\bgit\s*=\s*"', old, re.M):
            continue
        new, missing, skipped = rewrite(old, m, f, f == root)
        all_missing += missing
        for s in skipped:
            print(f"left alone: {s}")
        if new != old:
            with open(f, "w") as fh:
                fh.write(new)
            print(f"rewrote git deps in {f}")
    if all_missing:
        print("git dependencies without a local source:\n  " + "\n  ".join(all_missing), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
