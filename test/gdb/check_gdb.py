#!/usr/bin/env python3
#
# test/gdb/check_gdb.py
#
# Distributed under the Boost Software License, Version 1.0.
#
# Test of tools/taskio-gdb.py (CTest gdb.taskio_tasks, label "gdb"):
#   check_gdb.py <taskio-gdb.py> <stopped_tasks executable> <scratch dir>
# Runs the program under gdb until it stops itself (SIGTRAP), prints
# `taskio tasks` for the live process and writes a core (gcore), then prints
# `taskio tasks` again from the core. Both must be the exact tree of
# stopped_tasks.cpp's structure. Exit 77 (skipped) without a usable gdb.

import os
import re
import shutil
import subprocess
import sys

SKIP = 77

EXPECTED = """\
loop *: 12 pending tasks
└── (T) main  #1  [run.hpp:*]
    └── (TaskGroup)
        ├── (T) session  #2  [stopped_tasks.cpp:*]
        │   └── (gather)
        │       ├── (T) fetch-a  #8  [stopped_tasks.cpp:*]
        │       └── (T) fetch-b  #9  [stopped_tasks.cpp:*]
        ├── (T) committer  #3  [stopped_tasks.cpp:*]
        │   └── (shield)
        │       └── (T) commit  #10  [stopped_tasks.cpp:*]
        ├── (T) stopper  #4  [stopped_tasks.cpp:*]  running
        ├── (T) holder  #5  [stopped_tasks.cpp:*]
        ├── (T) worker  #6  [stopped_tasks.cpp:*]
        │   └── (Lock)
        │       └── (T) holder  #5  [stopped_tasks.cpp:*]
        └── (T) collector  #7  [stopped_tasks.cpp:*]
            └── (as_completed)
                ├── (T) part-a  #11  [stopped_tasks.cpp:*]
                └── (T) part-b  #12  [stopped_tasks.cpp:*]"""


def gdb(*args):
    cmd = ["gdb", "-batch", "-nx"] + list(args)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=240)
    return r.stdout


def tree(output):
    """The `taskio tasks` lines (from "loop" on), addresses and lines masked."""
    lines = output.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("loop 0x")), None)
    if start is None:
        return None
    out = []
    for l in lines[start:]:
        if not (l.startswith("loop 0x") or l.lstrip("│ ").startswith(("└──", "├──"))):
            break
        l = re.sub(r"^loop 0x[0-9a-f]+", "loop *", l)
        out.append(re.sub(r"\[([^\]:]+):\d+\]", r"[\1:*]", l))
    return "\n".join(out)


def check(what, output):
    got = tree(output)
    if got != EXPECTED:
        print("FAIL (%s): `taskio tasks` printed\n%s\n--- expected\n%s\n--- gdb output\n%s" %
              (what, got, EXPECTED, output))
        return False
    print("ok (%s):\n%s" % (what, got))
    return True


def main():
    script, program, scratch = sys.argv[1:4]
    if shutil.which("gdb") is None:
        print("SKIP: gdb is not installed")
        return SKIP
    if not os.path.exists(program):
        print("SKIP: %s is not built (a build of taskio_tests alone)" % program)
        return SKIP
    os.makedirs(scratch, exist_ok=True)
    core = os.path.join(scratch, "stopped_tasks.core")
    if os.path.exists(core):
        os.remove(core)
    live = gdb("-ex", "run", "-ex", "source " + script, "-ex", "taskio tasks", "-ex", "gcore " + core,
               "-ex", "kill", program)
    if "SIGTRAP" not in live:
        print("SKIP: gdb could not run the program to its stop (ptrace not permitted?)\n" + live)
        return SKIP
    if "no debug information for taskio" in live:
        print("SKIP: the library was built without debug information\n" + live)
        return SKIP
    ok = check("live process", live)
    if os.path.exists(core):
        ok = check("core dump", gdb("-ex", "source " + script, "-ex", "taskio tasks", program, core)) and ok
        os.remove(core)
    else:
        print("FAIL: gcore wrote no core\n" + live)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
