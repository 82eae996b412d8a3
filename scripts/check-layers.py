#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""check-layers: which file of simmer uses which, judged by the symbols the
object files define and call (nm), not by #include lines: a header that
declares other files' functions hides a circle from an include graph.

It fails (exit 1, one line per finding) when
  - files of daemon/ call each other's functions in a circle;
  - a file uses a room that shared/DESIGN.md's table of rooms does not let
    its room use (a room may always use the rooms nested inside it);
  - a file calls a library its room "never uses" (libuv, SQLite, ...).

usage: check-layers.py [BUILD_DIR] [DESIGN.md]
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The libraries DESIGN.md names, by the prefix of their functions.
LIBRARIES = {"libuv": "uv_", "sqlite": "sqlite3_", "msgpack-c": "msgpack_", "jansson": "json_",
             "libnotify": "notify_", "libsystemd": "sd_"}


def design_path():
    for p in (os.path.join(ROOT, "..", "shared", "DESIGN.md"), "/work/shared/DESIGN.md",
              os.path.join(ROOT, "shared", "DESIGN.md")):
        if os.path.exists(p):
            return p
    return None


def read_rooms(path):
    """{room folder: (may use rooms, never use rooms, never use libraries)}
    from the first markdown table whose header starts with `folder`."""
    rooms = {}
    with open(path) as f:
        in_table = False
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 4 and cells[0] == "folder":
                in_table = True
                continue
            if not in_table:
                continue
            if not line.startswith("|"):
                break
            if set(cells[0]) <= set("-: "):
                continue
            folder = cells[0].strip("`")
            may = set(re.findall(r"`([a-z/]+/)`", cells[2]))
            never = set(re.findall(r"`([a-z/]+/)`", cells[3]))
            never_libs = {lib for lib in LIBRARIES if lib in cells[3].lower()}
            rooms[folder] = (may, never, never_libs)
    return rooms


def room_of(rel, rooms):
    best = None
    for r in rooms:
        if rel.startswith(r) and (best is None or len(r) > len(best)):
            best = r
    return best


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRV":
            defined.add(parts[2])
    return defined, used


def circles(nodes, edges):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return found


def main(argv):
    build = argv[1] if len(argv) > 1 else os.environ.get("SIMMER_BUILD", "build")
    design = argv[2] if len(argv) > 2 else design_path()
    objdir = os.path.join(build, "obj")
    objs = sorted(glob.glob(os.path.join(objdir, "**", "*.o"), recursive=True))
    if not objs:
        print(f"check-layers: no object files under {objdir}; build first", file=sys.stderr)
        return 2
    if design is None:
        print("check-layers: cannot find shared/DESIGN.md", file=sys.stderr)
        return 2
    rooms = read_rooms(design)
    if not rooms:
        print(f"check-layers: no table of rooms in {design}", file=sys.stderr)
        return 2
    files, owner = {}, {}
    for obj in objs:
        src = os.path.relpath(obj, objdir)[:-2] + ".c"
        files[src] = symbols(obj)
        for s in files[src][0]:
            owner.setdefault(s, src)
    edges, uses = {}, {}
    for src, (_, used) in files.items():
        for s in used:
            dst = owner.get(s)
            if dst is not None and dst != src:
                edges.setdefault(src, set()).add(dst)
                uses.setdefault((src, dst), []).append(s)
    problems = []
    daemon = {f for f in files if room_of(f, rooms) == "daemon/"}
    for comp in circles(daemon, {k: v & daemon for k, v in edges.items() if k in daemon}):
        ties = [f"{a} -> {b} ({', '.join(sorted(uses[(a, b)])[:3])})"
                for a in comp for b in comp if (a, b) in uses]
        problems.append("circle among " + ", ".join(comp) + ": " + "; ".join(ties))
    for (src, dst), syms in sorted(uses.items()):
        a, b = room_of(src, rooms), room_of(dst, rooms)
        if a is None or b is None or a == b or b.startswith(a):
            continue
        may, never, _ = rooms[a]
        if b not in may or b in never:
            problems.append(f"{src} ({a}) uses {dst} ({b}), which DESIGN.md does not allow: "
                            + ", ".join(sorted(syms)[:3]))
    for src, (_, used) in sorted(files.items()):
        room = room_of(src, rooms)
        if room is None:
            continue
        for lib in sorted(rooms[room][2]):
            called = sorted(s for s in used if s.startswith(LIBRARIES[lib]))
            if called:
                problems.append(f"{src} ({room}) calls {lib}, which its room never uses: "
                                + ", ".join(called[:3]))
    for p in problems:
        print("check-layers: " + p)
    print(f"check-layers: {len(files)} files, {sum(len(v) for v in edges.values())} uses, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
