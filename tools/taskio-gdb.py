#
# tools/taskio-gdb.py
#
# Distributed under the Boost Software License, Version 1.0.
#
# A gdb extension: `taskio tasks` prints every pending task of every taskio
# loop of the inferior as a tree (dump_tasks(os, dump_format::tree) from the
# outside, `python -m asyncio pstree` for a stuck process or a core dump):
#
#   (gdb) source tools/taskio-gdb.py
#   (gdb) taskio tasks
#   loop 0x55555568b5d0: 7 pending tasks
#   └── (T) main  #1  [run.hpp:94]
#       └── (TaskGroup)
#           ├── (T) session  #2  [stopped_tasks.cpp:45]
#           ...
#
#   gdb -batch -ex 'source tools/taskio-gdb.py' -ex 'taskio tasks' ./server core
#
# It only reads memory (no function of the inferior is called), so it works
# on a core. It needs the debug information of taskio's types (a -g build).
#
# What it reads (keep in step with the C++ side):
#  * taskio::detail::all_loops (lib/loop.cpp): every live loop, linked
#    through loop::all_next_; each loop's task registry, loop::tasks_ (an
#    intrusive_list, detail/intrusive_list.hpp: head_, then each hook's
#    next_link; a hook is a base of task_state_base);
#  * a task: id_, name_ (empty: "Task-<id>"), where_ (its creation site),
#    status_, the cancellation count_, depth_ (> 0: running now);
#  * what a task awaits: its cancellation waiter_ (detail/cancel.hpp); a
#    wait operation (detail/wait_op.hpp) holds the awaited future in target_;
#    a parked waiter (detail/wait_queue.hpp, park_op: found by its vtable's
#    symbol) is in a wait_queue (queue_), shown under its label_ and
#    standing for what its lister list_ names (by the function's symbol) in
#    list_ctx_: a task group's live children (task_group_state::list_live)
#    or a combinator's pending children (watcher::list_pending), and for
#    the task holding a lock (holder_, holder_id_);
#  * a combinator's future: a detail::watcher (gather, wait, as_completed)
#    lists its children in entries_ (who_: "taskio::gather"); any other
#    future is looked up in the await_edge registry (lib/introspection.cpp,
#    registry()::r), whose std::function captures one handle: a task group's
#    state (its live children: the intrusive_list live_ of child_node) or a
#    future (shield).

import gdb

NS = "taskio::detail::"


def _type(name):
    return gdb.lookup_type(name)


def _is_a(t, base_name):
    """Whether class type `t` is `base_name` or derives from it."""
    t = t.strip_typedefs()
    if t.name == base_name:
        return True
    for f in t.fields():
        if f.is_base_class and _is_a(f.type, base_name):
            return True
    return False


def _string(v):
    """A std::string's text (no function call, no pretty printer needed)."""
    try:
        n = int(v["_M_string_length"])
        return v["_M_dataplus"]["_M_p"].string(length=n) if n else ""
    except gdb.error:
        return str(v)


def _dynamic(ptr):
    """`ptr` cast to its object's dynamic type (a pointer), or None."""
    if int(ptr) == 0:
        return None
    try:
        return ptr.cast(ptr.dynamic_type)
    except gdb.error:
        return None


def _base_name(path):
    return path.rsplit("/", 1)[-1]


class Task:
    def __init__(self, v):
        self.v = v  # taskio::detail::task_state_base*
        t = v.dereference()
        self.addr = int(v.cast(_type(NS + "future_state_base").pointer()))
        self.id = int(t["id_"])
        self.name = _string(t["name_"]) or "Task-%d" % self.id
        where = t["where_"]["_M_impl"]
        self.created = ""
        if int(where):
            self.created = "%s:%d" % (_base_name(where["_M_file_name"].string()), int(where["_M_line"]))
        status = str(t["status_"]).rsplit(":", 1)[-1]
        if status != "pending":
            self.state = status
        elif int(t["depth_"]) > 0:
            self.state = "running"
        elif int(t["count_"]) > 0:
            self.state = "cancelling"
        else:
            self.state = "pending"


class Graph:
    """The await graph of one loop, read from memory."""

    def __init__(self, loop):
        self.tasks = []
        self.by_addr = {}
        self.labels = {}  # combinator future address -> label
        self.awaits = {}  # node address -> [node addresses]
        self.registry = None
        task_ptr = _type(NS + "task_state_base").pointer()
        h = loop["tasks_"]["head_"]
        while int(h):
            task = Task(h.cast(task_ptr))
            self.tasks.append(task)
            self.by_addr[task.addr] = task
            h = h.dereference()["next_link"]
        for task in self.tasks:
            queue = self._parked_in(task.v)
            if queue is not None:
                self._queue_edge(task.addr, queue)
                continue
            target = self._awaited(task.v)
            if target:
                self._edge(task.addr, target)

    def awaited_by_anyone(self, addr):
        return any(addr in targets for targets in self.awaits.values())

    def _edge(self, frm, to_ptr):
        to = int(to_ptr.cast(_type(NS + "future_state_base").pointer()))
        self.awaits.setdefault(frm, []).append(to)
        if to in self.by_addr or to in self.labels:
            return
        self.labels[to] = "future"
        self._expand(to, to_ptr)

    def _awaited(self, task_ptr):
        """The future a task's waiter names (wait_op::target_), or None."""
        w = _dynamic(task_ptr.dereference()["waiter_"])
        if w is None:
            return None
        try:
            return w.dereference()["target_"]["p_"]
        except gdb.error:
            return None  # a waiter that names nothing (sleep, lock, ...)

    def _parked_in(self, task_ptr):
        """The wait_queue the task is parked in (its waiter_ is a park_op), or None."""
        w = task_ptr.dereference()["waiter_"]
        if int(w) == 0:
            return None
        try:
            if "park_op<" not in _symbol(w.cast(_type("void").pointer().pointer()).dereference()):
                return None
            q = w.cast(_type(NS + "parked_waiter").pointer()).dereference()["queue_"]
        except gdb.error:
            return None
        return q if int(q) else None

    def _queue_edge(self, frm, q):
        """A task parked in wait_queue `q`: the queue, under its label, and what it stands for."""
        addr = int(q)
        self.awaits.setdefault(frm, []).append(addr)
        if addr in self.labels:
            return
        v = q.dereference()
        self.labels[addr] = v["label_"].string()
        lister = _symbol(v["list_"]) if int(v["list_"]) and int(v["list_ctx_"]) else ""
        if "task_group_state::list_live" in lister:
            for child in _group_children(v["list_ctx_"].cast(_type(NS + "task_group_state").pointer())):
                self._edge(addr, child)
        elif "watcher::list_pending" in lister:
            for child in _pending_children(v["list_ctx_"].cast(_type(NS + "watcher").pointer())):
                self._edge(addr, child)
        holder = int(v["holder_"])
        if holder:
            for t in self.tasks:
                if int(t.v) == holder and t.id == int(v["holder_id_"]):
                    self.awaits[addr] = self.awaits.get(addr, []) + [t.addr]

    def _expand(self, addr, ptr):
        """A combinator's future: its label and what it stands for."""
        d = _dynamic(ptr.cast(_type(NS + "future_state_base").pointer()))
        if d is not None and _is_a(d.dereference().type, NS + "watcher"):
            w = d.cast(_type(NS + "watcher").pointer())
            self.labels[addr] = w.dereference()["who_"].string().rsplit(":", 1)[-1]
            for child in _pending_children(w):
                self._edge(addr, child)
            return
        entry = self._registered(addr)
        if entry is None:
            return
        label, function = entry
        self.labels[addr] = label
        for child in _captured_futures(function):
            self._edge(addr, child)

    def _registered(self, addr):
        """The await_edge registry's (label, std::function) for a future."""
        if self.registry is None:
            self.registry = _read_registry()
        return self.registry.get(addr)


def _vector(v):
    start, finish = v["_M_impl"]["_M_start"], v["_M_impl"]["_M_finish"]
    return [(start + i).dereference() for i in range(int(finish - start))]


def _read_registry():
    """lib/introspection.cpp's registry()::r.targets as {address: (label, list)}."""
    out = {}
    try:
        fn = gdb.lookup_static_symbol(NS + "(anonymous namespace)::registry")
        if fn is None:
            return out
        block = gdb.block_for_pc(int(fn.value().address))
        while block is not None and block.function is None:
            block = block.superblock
        r = next(s for s in block if s.name == "r").value()
    except (gdb.error, StopIteration, RuntimeError):
        return out
    targets = r["targets"]
    h = targets["_M_h"]
    kt = targets.type.strip_typedefs().template_argument(0)
    vt = targets.type.strip_typedefs().template_argument(1)
    node_t = _type("std::__detail::_Hash_node<std::pair<%s const, %s>, false>" % (kt, vt)).pointer()
    pair_t = _type("std::pair<%s const, %s>" % (kt, vt)).pointer()
    n = h["_M_before_begin"]["_M_nxt"]
    while int(n):
        node = n.cast(node_t).dereference()
        pair = node["_M_storage"]["_M_storage"].address.cast(pair_t).dereference()
        out[int(pair["first"])] = (_string(pair["second"]["label"]), pair["second"]["list"])
        n = node["_M_nxt"]
    return out


def _captured_futures(function):
    """The futures an await_edge's std::function stands for. Its lambda
    captures one handle, whose first word points at a ref_counted object: a
    task group's state (its live children) or a future (shield's inner)."""
    if int(function["_M_manager"]) == 0:
        return []
    void_pp = _type("void").pointer().pointer()
    storage = function["_M_functor"].address.cast(void_pp)
    # the lambda lives on the heap (a handle is not trivially copyable);
    # were it stored in place, its first word would be the handle
    for lambda_addr in (storage.dereference(), storage):
        try:
            first = lambda_addr.cast(void_pp).dereference()
            obj = _dynamic(first.cast(_type(NS + "ref_counted").pointer()))
        except gdb.error:
            continue
        if obj is None:
            continue
        t = obj.dereference().type
        if t.strip_typedefs().name == NS + "task_group_state":
            return _group_children(obj)
        if _is_a(t, NS + "future_state_base"):
            return [obj] if str(obj.dereference()["status_"]).endswith("pending") else []
    return []


def _symbol(ptr):
    """What gdb's `info symbol` says of an address (a function, a vtable)."""
    return gdb.execute("info symbol 0x%x" % int(ptr), to_string=True)


def _pending_children(watcher):
    """A watcher's children not done yet (watcher::entries_)."""
    out = []
    for e in _vector(watcher.dereference()["entries_"]):
        child = e["child"]["p_"]
        if int(child) and str(child.dereference()["status_"]).endswith("pending"):
            out.append(child)
    return out


def _group_children(group):
    """A task group's live children (task_group_state::live_)."""
    node_ptr = _type(NS + "task_group_state::child_node").pointer()
    out, h = [], group.dereference()["live_"]["head_"]
    while int(h):
        out.append(h.cast(node_ptr).dereference()["child"]["p_"])
        h = h.dereference()["next_link"]
    return out


def _loops():
    try:
        head = gdb.parse_and_eval("'%sall_loops'" % NS)
        _type(NS + "task_state_base")
    except gdb.error as e:
        if "No symbol" in str(e):
            raise gdb.GdbError("taskio tasks: no taskio loop in this program (no symbol %sall_loops)" % NS)
        raise gdb.GdbError("taskio tasks: no debug information for taskio (build the library with -g): %s" % e)
    while int(head):
        yield head
        head = head.dereference()["all_next_"]


def _tree(g, addr, prefix, last, path, out):
    line = prefix + ("└── " if last else "├── ")
    task = g.by_addr.get(addr)
    if task:
        line += "(T) %s  #%d  [%s]" % (task.name, task.id, task.created)
        if task.state != "pending":
            line += "  " + task.state
    else:
        line += "(%s)" % g.labels.get(addr, "future")
    out.append(line)
    path.append(addr)
    nxt = g.awaits.get(addr, [])
    for i, a in enumerate(nxt):
        if a in path:
            out.append(prefix + ("    " if last else "│   ") + ("└── " if i + 1 == len(nxt) else "├── ") +
                       "(cycle back to %s)" % (g.by_addr[a].name if a in g.by_addr else g.labels.get(a)))
            continue
        _tree(g, a, prefix + ("    " if last else "│   "), i + 1 == len(nxt), path, out)
    path.pop()


def format_tasks():
    out = []
    for loop in _loops():
        g = Graph(loop)
        out.append("loop 0x%x: %d pending task%s" % (int(loop), len(g.tasks), "" if len(g.tasks) == 1 else "s"))
        roots = [t.addr for t in g.tasks if not g.awaited_by_anyone(t.addr)]
        if not roots and g.tasks:  # everything is in a cycle
            roots = [g.tasks[0].addr]
        for i, r in enumerate(roots):
            _tree(g, r, "", i + 1 == len(roots), [], out)
    if not out:
        out.append("no taskio loop")
    return "\n".join(out)


class TaskioPrefix(gdb.Command):
    """taskio: commands for taskio programs (tools/taskio-gdb.py)."""

    def __init__(self):
        super().__init__("taskio", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class TaskioTasks(gdb.Command):
    """Print every pending task of every taskio loop as a tree: what each awaits
(a task, a task group, gather, shield, ...), its id, creation site, and its
state when not plain pending (running, cancelling). Reads memory only: works
on a core dump."""

    def __init__(self):
        super().__init__("taskio tasks", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        lang = gdb.parameter("language")
        gdb.execute("set language c++", to_string=True)
        try:
            print(format_tasks())
        finally:
            gdb.execute("set language %s" % lang, to_string=True)


TaskioPrefix()
TaskioTasks()
