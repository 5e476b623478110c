//
// lib/introspection.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The await graph (detail/await_graph.hpp) and its renderings
// (introspection.hpp): asyncio 3.14's call graph, `ps` and `pstree`.

#include <taskio/introspection.hpp>

#include <taskio/detail/await_graph.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/detail/task_state.hpp>
#include <taskio/wait.hpp>

#include "log_record.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <sstream>
#include <unordered_map>

namespace taskio::detail {

namespace {

struct edge_registry {
  std::mutex mutex;
  std::unordered_map<const future_state_base*, await_target> targets;
};

edge_registry& registry() {
  static edge_registry r;
  return r;
}

}  // namespace

await_edge::await_edge(const future_state_base& by, await_target target) : by_(&by) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.targets[by_] = std::move(target);
}

await_edge::~await_edge() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.targets.erase(by_);
}

bool find_await_target(const future_state_base& by, std::string& label,
                       std::vector<ref_ptr<future_state_base>>& awaited) {
  await_target t;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.targets.find(&by);
    if (it == r.targets.end()) return false;
    t = it->second;
  }
  label = t.label;
  t.list(awaited);
  return true;
}

namespace {

/// The loop's await graph at one moment: every pending task, what each
/// awaits (directly, or through a combinator's future), and the reverse.
class await_graph {
public:
  explicit await_graph(loop& l) {
    for (task_state_base* t : l.pending_tasks()) {
      tasks_.emplace_back(t);
      t->release();  // pending_tasks() added a reference; tasks_ holds one
    }
    for (const auto& t : tasks_) {
      const auto* w = t->current_waiter();
      const future_state_base* a = w ? w->awaited() : nullptr;
      if (a) add_edge(t.get(), const_cast<future_state_base*>(a));
    }
  }

  const std::vector<ref_ptr<task_state_base>>& tasks() const { return tasks_; }
  const std::vector<future_state_base*>& awaits(const future_state_base* f) const { return lookup(awaits_, f); }
  const std::vector<future_state_base*>& awaited_by(const future_state_base* f) const {
    return lookup(awaited_by_, f);
  }

  static const task_state_base* as_task(const future_state_base* f) {
    return dynamic_cast<const task_state_base*>(f);
  }

  /// A node's one-word label: a task's name, a combinator's kind.
  std::string label(const future_state_base* f) const {
    if (const auto* t = as_task(f)) return t->name();
    auto it = labels_.find(f);
    return it != labels_.end() ? it->second : std::string(f->kind());
  }
  /// A node's repr: a task's, or "<gather pending>" and the like.
  std::string repr(const future_state_base* f) const {
    if (as_task(f) || !labels_.count(f)) return f->repr();
    return "<" + labels_.at(f) + (f->done() ? " done" : " pending") + ">";
  }

  /// The cycles among the tasks (each once, from its smallest task id).
  std::vector<std::vector<const future_state_base*>> cycles() const {
    std::vector<std::vector<const future_state_base*>> out;
    std::set<std::vector<const future_state_base*>> seen;
    for (const auto& t : tasks_) {
      std::vector<const future_state_base*> path{t.get()};
      find_cycles(t.get(), t.get(), path, out, seen);
    }
    return out;
  }

private:
  void add_edge(future_state_base* from, future_state_base* to) {
    keep_.emplace_back(to);
    awaits_[from].push_back(to);
    awaited_by_[to].push_back(from);
    if (as_task(to) || expanded_.count(to)) return;
    expanded_.insert(to);
    // a combinator's future: what it stands for
    if (const auto* w = dynamic_cast<const watcher*>(to)) {
      std::string who = w->who();
      labels_[to] = who.substr(who.rfind(':') == std::string::npos ? 0 : who.rfind(':') + 1);
      for (std::size_t i = 0; i < w->size(); ++i)
        if (!w->child(i).done()) add_edge(to, &w->child(i));
      return;
    }
    std::string label;
    std::vector<ref_ptr<future_state_base>> awaited;
    if (find_await_target(*to, label, awaited)) {
      labels_[to] = label;
      for (auto& a : awaited) add_edge(to, a.get());
    }
  }

  void find_cycles(const future_state_base* start, const future_state_base* at,
                   std::vector<const future_state_base*>& path, std::vector<std::vector<const future_state_base*>>& out,
                   std::set<std::vector<const future_state_base*>>& seen) const {
    for (const future_state_base* next : awaits(at)) {
      if (next == start) {
        std::vector<const future_state_base*> tasks_only;
        for (const auto* p : path)
          if (as_task(p)) tasks_only.push_back(p);
        // the same cycle from another start: rotate to its smallest id
        auto key = tasks_only;
        std::rotate(key.begin(), std::min_element(key.begin(), key.end(), [](auto* a, auto* b) {
                      return as_task(a)->id() < as_task(b)->id();
                    }),
                    key.end());
        if (seen.insert(key).second) out.push_back(key);
        continue;
      }
      if (std::find(path.begin(), path.end(), next) != path.end()) continue;
      path.push_back(next);
      find_cycles(start, next, path, out, seen);
      path.pop_back();
    }
  }

  static const std::vector<future_state_base*>& lookup(
      const std::unordered_map<const future_state_base*, std::vector<future_state_base*>>& m,
      const future_state_base* f) {
    static const std::vector<future_state_base*> none;
    auto it = m.find(f);
    return it == m.end() ? none : it->second;
  }

  std::vector<ref_ptr<task_state_base>> tasks_;
  std::vector<ref_ptr<future_state_base>> keep_;
  std::unordered_map<const future_state_base*, std::vector<future_state_base*>> awaits_;
  std::unordered_map<const future_state_base*, std::vector<future_state_base*>> awaited_by_;
  std::unordered_map<const future_state_base*, std::string> labels_;
  std::set<const future_state_base*> expanded_;
};

std::vector<frame_entry> frames_of(const future_state_base* f, std::optional<std::size_t> limit) {
  std::vector<frame_entry> out;
  if (const auto* t = await_graph::as_task(f)) {
    for (auto& fr : t->stack(std::nullopt)) out.push_back(frame_entry{fr.function, fr.file, fr.line});
    if (limit && out.size() > *limit)  // innermost first: keep the outermost, the last ones
      out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(*limit));
  }
  return out;
}

future_call_graph node(const await_graph& g, const future_state_base* f, std::optional<std::size_t> limit,
                       std::vector<const future_state_base*>& path) {
  future_call_graph n;
  if (const auto* t = await_graph::as_task(f))
    n.task = access::make<task_ref>(const_cast<task_state_base*>(t));
  n.repr = g.repr(f);
  n.call_stack = frames_of(f, limit);
  path.push_back(f);
  for (const future_state_base* a : g.awaited_by(f))
    if (std::find(path.begin(), path.end(), a) == path.end()) n.awaited_by.push_back(node(g, a, limit, path));
  path.pop_back();
  return n;
}

std::string hex(std::uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

void render(const future_call_graph& n, std::vector<std::string>& lines, int level) {
  const std::string indent(static_cast<std::size_t>(level) * 4, ' ');
  if (n.task)
    lines.push_back(indent + "* Task(name='" + n.task.get_name() + "', id=" + hex(detail::access::state(n.task)->id()) + ")");
  else
    lines.push_back(indent + "* Future(" + n.repr + ")");
  if (!n.call_stack.empty()) {
    lines.push_back(indent + "  + Call stack:");
    for (const auto& f : n.call_stack)
      lines.push_back(indent + "  |   File '" + f.file + "', line " + std::to_string(f.line) + ", in async " +
                      f.function);
  }
  if (!n.awaited_by.empty()) {
    lines.push_back(indent + "  + Awaited by:");
    for (const auto& a : n.awaited_by) render(a, lines, level + 1);
  }
}

std::string base_name(const char* path) {
  std::string p = path;
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string created_at(const future_state_base* f) {
  const auto* t = await_graph::as_task(f);
  if (!t) return "";
  return base_name(t->where().file_name()) + ":" + std::to_string(t->where().line());
}

std::string state_of(const task_state_base& t) {
  if (t.done()) return t.cancelled() ? "cancelled" : "finished";
  return t.cancelling() > 0 ? "cancelling" : "pending";
}

/// "child-1", or "gather(child-1, child-2)" for a combinator's future.
std::string describe_awaited(const await_graph& g, const future_state_base* f) {
  if (await_graph::as_task(f)) return g.label(f);
  std::string s = g.label(f);
  const auto& inner = g.awaits(f);
  if (inner.empty()) return s;
  s += "(";
  for (std::size_t i = 0; i < inner.size(); ++i) s += (i ? ", " : "") + describe_awaited(g, inner[i]);
  return s + ")";
}

/// The tasks awaiting `f`, through combinators: "main", "main via gather".
void describe_awaiters(const await_graph& g, const future_state_base* f, const std::string& via,
                       std::vector<std::string>& out, int depth = 0) {
  if (depth > 16) return;
  for (const future_state_base* a : g.awaited_by(f)) {
    if (await_graph::as_task(a))
      out.push_back(g.label(a) + (via.empty() ? "" : " via " + via));
    else
      describe_awaiters(g, a, via.empty() ? g.label(a) : via, out, depth + 1);
  }
}

void write_table(std::ostream& os, const await_graph& g) {
  std::vector<std::vector<std::string>> rows{{"id", "name", "state", "created at", "awaits", "awaited by"}};
  for (const auto& t : g.tasks()) {
    std::string awaits;
    for (const auto* a : g.awaits(t.get())) awaits += (awaits.empty() ? "" : ", ") + describe_awaited(g, a);
    std::vector<std::string> by;
    describe_awaiters(g, t.get(), "", by);
    std::string awaited_by;
    for (const auto& b : by) awaited_by += (awaited_by.empty() ? "" : ", ") + b;
    rows.push_back({std::to_string(t->id()), t->name(), state_of(*t), created_at(t.get()), awaits, awaited_by});
  }
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    os << line << '\n';
  }
}

std::string cycle_line(const await_graph& g, const std::vector<const future_state_base*>& c) {
  std::string s = "cycle: ";
  for (const auto* t : c) s += g.label(t) + " -> ";
  return s + g.label(c.front());
}

void write_tree_node(std::ostream& os, const await_graph& g, const future_state_base* f, const std::string& prefix,
                     bool last, std::vector<const future_state_base*>& path) {
  os << prefix << (last ? "└── " : "├── ");
  if (await_graph::as_task(f))
    os << "(T) " << g.label(f) << "  [" << created_at(f) << "]\n";
  else
    os << "(" << g.label(f) << ")\n";
  path.push_back(f);
  const auto& next = g.awaits(f);
  for (std::size_t i = 0; i < next.size(); ++i)
    if (std::find(path.begin(), path.end(), next[i]) == path.end())
      write_tree_node(os, g, next[i], prefix + (last ? "    " : "│   "), i + 1 == next.size(), path);
  path.pop_back();
}

/// The tasks `f` awaits, through combinators and primitives (each once).
void awaited_tasks(const await_graph& g, const future_state_base* f, std::vector<const future_state_base*>& out,
                   int depth = 0) {
  if (depth > 16) return;
  for (const future_state_base* a : g.awaits(f)) {
    if (!await_graph::as_task(a))
      awaited_tasks(g, a, out, depth + 1);
    else if (std::find(out.begin(), out.end(), a) == out.end())
      out.push_back(a);
  }
}

/// A DOT double-quoted string's content: `"` and `\` escaped.
std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

/// The await graph as a Graphviz digraph: a box per task (name, id, state,
/// creation site), an ellipse per combinator, an edge from each awaiter to
/// what it awaits. Tasks in registry order, then combinators and edges in
/// the order a walk from each task finds them.
void write_dot(std::ostream& os, const await_graph& g) {
  std::map<const future_state_base*, std::string> ids;
  std::vector<std::string> combinators, edges;
  auto id_of = [&](const future_state_base* f) -> std::string {
    if (const auto* t = await_graph::as_task(f)) return "t" + std::to_string(t->id());
    auto it = ids.find(f);
    return it == ids.end() ? std::string() : it->second;
  };
  auto walk = [&](auto& self, const future_state_base* from) -> void {
    for (const future_state_base* to : g.awaits(from)) {
      const bool fresh = !await_graph::as_task(to) && id_of(to).empty();
      if (fresh) {
        ids[to] = "f" + std::to_string(ids.size() + 1);
        combinators.push_back("  " + ids[to] + " [label=\"" + dot_escape(g.label(to)) + "\", shape=ellipse];");
      }
      edges.push_back("  " + id_of(from) + " -> " + id_of(to) + ";");
      if (fresh) self(self, to);
    }
  };
  for (const auto& t : g.tasks()) walk(walk, t.get());
  os << "digraph taskio {\n  node [shape=box];\n";
  for (const auto& t : g.tasks())
    os << "  " << id_of(t.get()) << " [label=\"" << dot_escape(t->name()) << "\\nid=" << t->id() << ' '
       << state_of(*t) << "\\n" << dot_escape(created_at(t.get())) << "\"];\n";
  for (const auto& c : combinators) os << c << '\n';
  for (const auto& e : edges) os << e << '\n';
  os << "}\n";
}

}  // namespace

std::string describe_awaits(const task_state_base& t) {
  await_graph g(running_loop("taskio::detail::describe_awaits"));
  const auto& direct = g.awaits(&t);
  if (direct.empty()) return "nothing taskio records";
  std::string s;
  for (const auto* a : direct) s += (s.empty() ? "" : ", ") + describe_awaited(g, a);
  std::vector<const future_state_base*> tasks;
  awaited_tasks(g, &t, tasks);
  for (std::size_t i = 0; i < tasks.size(); ++i) s += (i ? ", " : ": ") + describe(*tasks[i]);
  return s;
}

}  // namespace taskio::detail

namespace taskio {

std::optional<future_call_graph> capture_call_graph(task_ref t, std::optional<std::size_t> limit) {
  detail::loop& l = detail::running_loop("taskio::capture_call_graph");
  if (!t) return std::nullopt;
  detail::await_graph g(l);
  std::vector<const detail::future_state_base*> path;
  return detail::node(g, detail::access::state(t), limit, path);
}

std::string format_call_graph(task_ref t, std::optional<std::size_t> limit) {
  auto graph = capture_call_graph(std::move(t), limit);
  if (!graph) return {};
  std::vector<std::string> lines;
  detail::render(*graph, lines, 0);
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out;
}

void print_call_graph(std::ostream& os, task_ref t, std::optional<std::size_t> limit) {
  std::string s = format_call_graph(std::move(t), limit);
  if (!s.empty()) os << s << '\n';
}

void dump_tasks(std::ostream& os, dump_format f) {
  detail::await_graph g(detail::running_loop("taskio::dump_tasks"));
  if (f == dump_format::dot) {
    detail::write_dot(os, g);  // draws cycles as they are
    return;
  }
  const auto cycles = g.cycles();
  if (f == dump_format::table) {
    detail::write_table(os, g);
    for (const auto& c : cycles) os << detail::cycle_line(g, c) << '\n';
    return;
  }
  if (!cycles.empty()) {
    os << "ERROR: await-graph contains cycles - cannot print a tree!\n";
    for (const auto& c : cycles) os << detail::cycle_line(g, c) << '\n';
    return;
  }
  std::vector<const detail::future_state_base*> roots;
  for (const auto& t : g.tasks())
    if (g.awaited_by(t.get()).empty()) roots.push_back(t.get());
  std::vector<const detail::future_state_base*> path;
  for (std::size_t i = 0; i < roots.size(); ++i) detail::write_tree_node(os, g, roots[i], "", i + 1 == roots.size(), path);
}

}  // namespace taskio
