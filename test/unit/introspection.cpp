// Unit tests of <taskio/introspection.hpp>: the exact await graph of known
// task structures (a task awaiting a group of children awaiting sleeps, a
// gather, a shield, a cycle), as capture_call_graph, format_call_graph and
// dump_tasks render it. Virtual time.
#include <taskio/introspection.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <taskio/detail/call_stack.hpp>

#include <csignal>
#include <regex>
#include <sstream>
#include <string>

using namespace taskio_test;

namespace {

/// "introspection.cpp:42": where `t` was created.
std::string created(const taskio::task_ref& t) {
  const auto& where = taskio::detail::access::state(t)->where();
  std::string file = where.file_name();
  return file.substr(file.rfind('/') + 1) + ":" + std::to_string(where.line());
}

/// The text with every "id=0x..." replaced by "id=*".
std::string no_ids(const std::string& s) { return std::regex_replace(s, std::regex("id=0x[0-9a-f]+"), "id=*"); }

asio::awaitable<void> nap() { co_await taskio::sleep(1h); }
asio::awaitable<void> sleep_for(taskio::clock::duration d) { co_await taskio::sleep(d); }

struct level_guard {
  taskio::severity_level saved = taskio::get_log_level();
  explicit level_guard(taskio::severity_level l) {
    taskio::set_log_level(l);
    clear_logs();
  }
  ~level_guard() { taskio::set_log_level(saved); }
};

/// The captured records whose message contains `text`.
std::vector<log_record> records_with(const std::string& text) {
  std::vector<log_record> out;
  for (auto& r : captured_logs())
    if (r.message.find(text) != std::string::npos) out.push_back(r);
  return out;
}

/// dump_tasks(tree) of the running loop, as a string.
std::string dumped() {
  std::ostringstream os;
  taskio::dump_tasks(os);
  return os.str();
}

/// The dump taken by a task named "observer" while `main` waits through
/// `combinator` (gather, as_completed, ...) for its children a and b.
std::string main_awaiting_a_and_b(const taskio::task_ref& main, const std::string& combinator,
                                  const taskio::task_ref& a, const taskio::task_ref& b) {
  return "├── (T) " + main.get_name() + "  [" + created(main) + "]\n"
         "│   └── (" + combinator + ")\n"
         "│       ├── (T) a  [" + created(a) + "]\n"
         "│       └── (T) b  [" + created(b) + "]\n"
         "└── (T) observer  [" + created(taskio::current_task()) + "]\n";
}

/// The tree row of the calling task (the test's main), first in every dump.
std::string main_row() {
  return "├── (T) " + taskio::current_task().get_name() + "  [" + created(taskio::current_task()) + "]\n";
}

/// How records name a task: its repr with its creation site.
std::string described(const taskio::task_ref& t) {
  const auto& where = taskio::detail::access::state(t)->where();
  std::string r = t.repr();
  return r.substr(0, r.size() - 1) + " created at " + where.file_name() + ":" + std::to_string(where.line()) + ">";
}

// A known chain: outer -> middle -> inner, suspended in a sleep. Each is
// defined on one line: a frame's line is where its function begins.
constexpr unsigned inner_line = __LINE__ + 1;
asio::awaitable<void> inner() { co_await taskio::sleep(1h); }
constexpr unsigned middle_line = __LINE__ + 1;
asio::awaitable<void> middle() { co_await inner(); }
constexpr unsigned outer_line = __LINE__ + 1;
asio::awaitable<void> outer() { co_await middle(); }

// The same chain, running: the innermost reports the stack of its own task.
asio::awaitable<std::vector<taskio::frame_info>> running_inner() { co_return taskio::current_task().get_stack(); }
asio::awaitable<std::vector<taskio::frame_info>> running_outer() { co_return co_await running_inner(); }

std::vector<std::string> functions(const std::vector<taskio::frame_info>& frames) {
  std::vector<std::string> out;
  for (const auto& f : frames) out.push_back(f.function);
  return out;
}

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

BOOST_AUTO_TEST_SUITE(introspection)

TASKIO_TEST_CASE(outside_a_task_there_is_no_graph) {
  BOOST_TEST(!taskio::capture_call_graph(taskio::task_ref()).has_value());
  BOOST_TEST(taskio::format_call_graph(taskio::task_ref()).empty());
  std::ostringstream os;
  taskio::print_call_graph(os, taskio::task_ref());
  BOOST_TEST(os.str().empty());
  co_return;
}

BOOST_AUTO_TEST_CASE(outside_a_loop_is_an_error) {
  std::ostringstream os;
  BOOST_CHECK_THROW(taskio::dump_tasks(os), std::runtime_error);
  BOOST_CHECK_THROW(taskio::capture_call_graph(taskio::task_ref()), std::runtime_error);
}

TASKIO_TEST_CASE(a_task_awaiting_a_group_of_sleeping_children) {
  auto main = taskio::current_task();
  main.set_name("main");
  taskio::task<void> c1, c2;
  std::string graph, tree, table;
  std::optional<taskio::future_call_graph> g;
  std::string at_c1, at_c2, at_observer;
  auto observe = [&]() -> asio::awaitable<void> {
    co_await taskio::sleep(1ms);  // main is in the group's exit by now
    g = taskio::capture_call_graph(c1);
    graph = taskio::format_call_graph(c1);
    std::ostringstream t1, t2;
    taskio::dump_tasks(t1);
    taskio::dump_tasks(t2, taskio::dump_format::table);
    tree = t1.str();
    table = t2.str();
    at_c1 = created(c1);
    at_c2 = created(c2);
    at_observer = created(taskio::current_task());
    c1.cancel();
    c2.cancel();
  };
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    c1 = tg.create_task(nap(), "c1");
    c2 = tg.create_task(nap(), "c2");
    tg.create_task(observe(), "observer");
    co_return;
  });
  // the structure
  BOOST_REQUIRE(g.has_value());
  BOOST_TEST(g->task == taskio::task_ref(c1));
  BOOST_TEST(g->repr == "<Task pending name='c1'>");
  BOOST_REQUIRE(g->call_stack.size() == 1u);
  BOOST_REQUIRE(g->awaited_by.size() == 1u);
  const auto& group = g->awaited_by[0];
  BOOST_TEST(!group.task);
  BOOST_TEST(group.repr == "<TaskGroup pending>");
  BOOST_TEST(group.call_stack.empty());
  BOOST_REQUIRE(group.awaited_by.size() == 1u);
  BOOST_TEST(group.awaited_by[0].task == main);
  BOOST_TEST(group.awaited_by[0].awaited_by.empty());

  // asyncio 3.14's print_call_graph layout
  const auto f1 = g->call_stack[0];
  const auto fm = group.awaited_by[0].call_stack.at(0);
  const std::string expected = "* Task(name='c1', id=*)\n"
                               "  + Call stack:\n"
                               "  |   File '" + f1.file + "', line " + std::to_string(f1.line) + ", in async " +
                               f1.function + "\n"
                               "  + Awaited by:\n"
                               "    * Future(<TaskGroup pending>)\n"
                               "      + Awaited by:\n"
                               "        * Task(name='main', id=*)\n"
                               "          + Call stack:\n"
                               "          |   File '" + fm.file + "', line " + std::to_string(fm.line) +
                               ", in async " + fm.function;
  BOOST_TEST(no_ids(graph) == expected);

  // pstree
  BOOST_TEST(tree == "└── (T) main  [" + created(main) + "]\n"
                     "    └── (TaskGroup)\n"
                     "        ├── (T) c1  [" + at_c1 + "]\n"
                     "        ├── (T) c2  [" + at_c2 + "]\n"
                     "        └── (T) observer  [" + at_observer + "]\n");
  // ps: a header, then one row per task
  std::istringstream rows(table);
  std::string header, row_main, row_c1;
  std::getline(rows, header);
  std::getline(rows, row_main);
  std::getline(rows, row_c1);
  BOOST_TEST(header.find("id") == 0u);
  for (const char* col : {"name", "state", "created at", "awaits", "awaited by"})
    BOOST_TEST(header.find(col) != std::string::npos);
  BOOST_TEST(row_main.find(" main ") != std::string::npos);
  BOOST_TEST(row_main.find("TaskGroup(c1, c2, observer)") != std::string::npos);
  BOOST_TEST(row_c1.find(" c1 ") != std::string::npos);
  BOOST_TEST(row_c1.find("pending") != std::string::npos);
  BOOST_TEST(row_c1.find(at_c1) != std::string::npos);
  BOOST_TEST(row_c1.find("main via TaskGroup") != std::string::npos);
}

TASKIO_TEST_CASE(a_gather) {
  auto main = taskio::current_task();
  auto a = taskio::create_task(nap(), "a");
  auto b = taskio::create_task(nap(), "b");
  std::optional<taskio::future_call_graph> g;
  std::string tree, expected;
  auto observe = [&]() -> asio::awaitable<void> {
    co_await taskio::sleep(1ms);
    g = taskio::capture_call_graph(b);
    tree = dumped();
    expected = main_awaiting_a_and_b(main, "gather", a, b);
    a.cancel();
  };
  auto observer = taskio::create_task(observe(), "observer");
  co_await catch_exception(taskio::gather(a, b));
  b.cancel();
  co_await observer.async_wait();
  BOOST_REQUIRE(g.has_value());
  BOOST_TEST(g->task == taskio::task_ref(b));
  BOOST_REQUIRE(g->awaited_by.size() == 1u);
  BOOST_TEST(g->awaited_by[0].repr == "<gather pending>");
  BOOST_TEST(!g->awaited_by[0].task);
  BOOST_REQUIRE(g->awaited_by[0].awaited_by.size() == 1u);
  BOOST_TEST(g->awaited_by[0].awaited_by[0].task == main);
  BOOST_TEST(tree == expected);
}

// A next() of as_completed waiting for a result awaits the children still
// running, under one (as_completed) node, as gather's waiter does.
TASKIO_TEST_CASE(an_as_completed_next) {
  auto main = taskio::current_task();
  auto a = taskio::create_task(nap(), "a");
  auto b = taskio::create_task(nap(), "b");
  std::string tree, expected;
  auto observe = [&]() -> asio::awaitable<void> {
    co_await taskio::sleep(1ms);
    tree = dumped();
    expected = main_awaiting_a_and_b(main, "as_completed", a, b);
    a.cancel();
  };
  auto observer = taskio::create_task(observe(), "observer");
  auto results = taskio::as_completed(std::vector<taskio::task<void>>{a, b});
  co_await catch_exception(results.next());  // a, cancelled by the observer
  BOOST_TEST(tree == expected);
  b.cancel();
  co_await catch_exception(results.next());
  co_await observer.async_wait();
}

TASKIO_TEST_CASE(a_suspended_task_s_call_stack_is_its_coroutine_chain_innermost_first) {
  auto t = taskio::create_task(outer(), "nested");
  // not started yet: the one frame known, where it was created
  const auto before = t.get_stack();
  BOOST_REQUIRE(before.size() == 1u);
  BOOST_TEST(before[0].line == taskio::detail::access::state(t)->where().line());
  co_await taskio::sleep(1ms);  // t is in inner()'s sleep
  const auto frames = t.get_stack();
  BOOST_TEST(functions(frames) == (std::vector<std::string>{"inner()", "middle()", "outer()"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE(frames.size() == 3u);
  const unsigned lines[] = {inner_line, middle_line, outer_line};
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(base_name(frames[i].file) == "introspection.cpp");
    BOOST_TEST(frames[i].line == lines[i]);
  }
  // limit keeps the outermost frames
  BOOST_TEST(functions(t.get_stack(2)) == (std::vector<std::string>{"middle()", "outer()"}),
             boost::test_tools::per_element());
  // the call graph shows the same frames, asyncio's way
  const std::string graph = taskio::format_call_graph(t);
  BOOST_TEST(graph.find("  + Call stack:\n"
                        "  |   File '" + frames[0].file + "', line " + std::to_string(inner_line) +
                        ", in async inner()\n"
                        "  |   File '" + frames[1].file + "', line " + std::to_string(middle_line) +
                        ", in async middle()\n"
                        "  |   File '" + frames[2].file + "', line " + std::to_string(outer_line) +
                        ", in async outer()") != std::string::npos, graph);
  t.cancel();
  co_await catch_exception(t.async_wait());
  BOOST_TEST(t.get_stack().empty());  // cancelled: no stack
}

TASKIO_TEST_CASE(a_running_task_s_call_stack_is_its_chain_so_far) {
  auto t = taskio::create_task(running_outer(), "running");
  const auto frames = co_await t.async_wait();
  BOOST_TEST(functions(frames) == (std::vector<std::string>{"running_inner()", "running_outer()"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(coroutine_functions_read_as_asyncio_s) {
  // g++ 12's names of coroutine actors (nm -C)
  using taskio::detail::coroutine_function;
  BOOST_TEST(coroutine_function("(anonymous namespace)::inner((anonymous namespace)::inner()::_ZN12_GLOBAL__N_15innerEv."
                                "Frame*) [clone .actor]") == "inner()");
  BOOST_TEST(coroutine_function("app::session::run(app::session::run(int)::_ZN3app7session3runEi.Frame*) [clone .actor]") ==
             "app::session::run()");
  BOOST_TEST(coroutine_function("app::serve()::{lambda(taskio::task_group&)#1}::operator()(app::serve()::{lambda(taskio::"
                                "task_group&)#1}::operator()(taskio::task_group&) const::_ZZN3app5serveEvENKUlRN6taskio10"
                                "task_groupEE_clES3_.Frame*) [clone .actor]") ==
             "app::serve()::{lambda(taskio::task_group&)#1}::operator()()");
  // a return type, as function templates' names carry
  BOOST_TEST(coroutine_function("boost::asio::awaitable<int, boost::asio::any_io_executor> app::get<int>(int)") ==
             "app::get<int>()");
}

TASKIO_TEST_CASE(a_graphviz_digraph) {
  auto main = taskio::current_task();
  main.set_name("main");
  auto a = taskio::create_task(nap(), "a");
  auto b = taskio::create_task(nap(), "b \"quoted\" \\");
  std::string dot, expected;
  auto node = [](const taskio::task_ref& t, const std::string& label) {
    const auto id = std::to_string(taskio::detail::access::state(t)->id());
    return "  t" + id + " [label=\"" + label + "\\nid=" + id + " pending\\n" + created(t) + "\"];\n";
  };
  auto observe = [&]() -> asio::awaitable<void> {
    co_await taskio::sleep(1ms);
    std::ostringstream os;
    taskio::dump_tasks(os, taskio::dump_format::dot);
    dot = os.str();
    const auto t = [](const taskio::task_ref& t) { return "t" + std::to_string(taskio::detail::access::state(t)->id()); };
    expected = "digraph taskio {\n"
               "  node [shape=box];\n" +
               node(main, "main") + node(a, "a") + node(b, "b \\\"quoted\\\" \\\\") +
               node(taskio::current_task(), "observer") +
               "  f1 [label=\"gather\", shape=ellipse];\n"
               "  " + t(main) + " -> f1;\n"
               "  f1 -> " + t(a) + ";\n"
               "  f1 -> " + t(b) + ";\n"
               "}\n";
    a.cancel();
    b.cancel();
  };
  auto observer = taskio::create_task(observe(), "observer");
  co_await catch_exception(taskio::gather(a, b));
  co_await observer.async_wait();
  BOOST_TEST(dot == expected);
}

TASKIO_TEST_CASE(a_shield) {
  auto inner = taskio::create_task(nap(), "inner");
  std::optional<taskio::future_call_graph> g;
  auto observe = [&]() -> asio::awaitable<void> {
    co_await taskio::sleep(1ms);
    g = taskio::capture_call_graph(inner);
  };
  auto waiter = [&]() -> asio::awaitable<void> { co_await taskio::shield(inner); };
  auto w = taskio::create_task(waiter(), "waiter");
  co_await taskio::create_task(observe()).async_wait();
  w.cancel();
  co_await catch_exception(w.async_wait());
  BOOST_TEST(!inner.done());  // the shield held
  inner.cancel();
  co_await catch_exception(inner.async_wait());
  BOOST_REQUIRE(g.has_value());
  BOOST_REQUIRE(g->awaited_by.size() == 1u);
  BOOST_TEST(g->awaited_by[0].repr == "<shield pending>");
  BOOST_REQUIRE(g->awaited_by[0].awaited_by.size() == 1u);
  BOOST_TEST(g->awaited_by[0].awaited_by[0].task == taskio::task_ref(w));
}

TASKIO_TEST_CASE(a_task_awaiting_a_task) {
  auto main = taskio::current_task();
  main.set_name("main");
  auto inner = [&]() -> asio::awaitable<std::string> {
    co_await taskio::sleep(0ms);
    co_return taskio::format_call_graph();  // the current task: "child"
  };
  auto child = taskio::create_task(inner(), "child");
  std::string graph = co_await child.async_wait();
  BOOST_TEST(no_ids(graph).find("* Task(name='child', id=*)\n") == 0u);
  BOOST_TEST(graph.find("  + Awaited by:\n    * Task(name='main', id=") != std::string::npos);
  // limit 0: no frames
  std::ostringstream os;
  taskio::print_call_graph(os, main, 0);
  BOOST_TEST(no_ids(os.str()) == "* Task(name='main', id=*)\n");
}

TASKIO_TEST_CASE(a_cycle) {
  taskio::task<void> a, b;
  auto body_a = [&]() -> asio::awaitable<void> {
    co_await taskio::sleep(0ms);
    co_await taskio::shield(b);  // a -> b through a shield (a's cancel does not reach b)
  };
  auto body_b = [&]() -> asio::awaitable<void> { co_await a.async_wait(); };
  a = taskio::create_task(body_a(), "a");
  b = taskio::create_task(body_b(), "b");
  co_await taskio::sleep(1ms);
  std::ostringstream tree, table;
  taskio::dump_tasks(tree);
  taskio::dump_tasks(table, taskio::dump_format::table);
  BOOST_TEST(tree.str() == "ERROR: await-graph contains cycles - cannot print a tree!\n"
                           "cycle: a -> b -> a\n");
  BOOST_TEST(table.str().find("\ncycle: a -> b -> a\n") != std::string::npos);
  // the call graph is cut where the cycle closes
  auto g = taskio::capture_call_graph(a);
  BOOST_REQUIRE(g.has_value());
  BOOST_REQUIRE(g->awaited_by.size() == 1u);  // b
  BOOST_TEST(g->awaited_by[0].task == taskio::task_ref(b));
  BOOST_REQUIRE(g->awaited_by[0].awaited_by.size() == 1u);  // b is awaited by the shield
  BOOST_TEST(g->awaited_by[0].awaited_by[0].repr == "<shield pending>");
  BOOST_TEST(g->awaited_by[0].awaited_by[0].awaited_by.empty());  // ... awaited by a: cut
  a.cancel();
  co_await catch_exception(b.async_wait());
  BOOST_TEST(a.cancelled());
  BOOST_TEST(b.cancelled());
}

// --- the waits of wait_for, timeout scopes and the synchronization primitives

TASKIO_TEST_CASE(a_task_in_wait_for_awaiting_a_child) {
  auto child = taskio::create_task(nap(), "child");
  auto body = [&]() -> asio::awaitable<void> { co_await taskio::wait_for(child, 10h); };
  auto w = taskio::create_task(body(), "w");
  co_await taskio::sleep(1ms);
  const std::string tree = dumped();
  // wait_for with a timeout awaits the child inline, inside a timeout scope
  BOOST_TEST(tree == main_row() +
                               "└── (T) w  [" + created(w) + "]\n"
                               "    └── (T) child  [" + created(child) + "]\n");
  BOOST_TEST(no_ids(taskio::format_call_graph(child, 0)) == "* Task(name='child', id=*)\n"
                                                            "  + Awaited by:\n"
                                                            "    * Task(name='w', id=*)");
  child.cancel();
  co_await catch_exception(w.async_wait());
}

TASKIO_TEST_CASE(a_task_in_wait_for_zero_awaiting_a_child_that_ends_slowly) {
  // wait_for(child, 0) cancels the child and waits until it is done: a
  // child that takes its time to end shows under a wait_for node
  auto slow_end = []() -> asio::awaitable<void> {
    try {
      co_await taskio::sleep(1h);
    } catch (const taskio::cancelled_error&) {
    }
    co_await taskio::sleep(1h);
  };
  auto child = taskio::create_task(slow_end(), "child");
  co_await taskio::sleep(0ms);  // the child is in its first sleep
  auto body = [&]() -> asio::awaitable<void> { co_await taskio::wait_for(child, 0s); };
  auto w = taskio::create_task(body(), "w");
  co_await taskio::sleep(1ms);
  const std::string tree = dumped();
  BOOST_TEST(tree == main_row() +
                               "└── (T) w  [" + created(w) + "]\n"
                               "    └── (wait_for)\n"
                               "        └── (T) child  [" + created(child) + "]\n");
  BOOST_TEST(no_ids(taskio::format_call_graph(child, 0)) == "* Task(name='child', id=*)\n"
                                                            "  + Awaited by:\n"
                                                            "    * Future(<wait_for pending>)\n"
                                                            "      + Awaited by:\n"
                                                            "        * Task(name='w', id=*)");
  child.cancel();
  co_await catch_exception(w.async_wait());
}

TASKIO_TEST_CASE(a_task_in_a_timeout_scope_awaiting_a_task) {
  auto child = taskio::create_task(nap(), "child");
  auto block = [&](taskio::timeout_scope&) -> asio::awaitable<void> { co_await child.async_wait(); };
  auto body = [&]() -> asio::awaitable<void> { co_await taskio::async_with(taskio::timeout(10h), block); };
  auto w = taskio::create_task(body(), "w");
  co_await taskio::sleep(1ms);
  const std::string tree = dumped();
  // the scope is transparent (asyncio 3.14 too): w awaits the child
  BOOST_TEST(tree == main_row() +
                               "└── (T) w  [" + created(w) + "]\n"
                               "    └── (T) child  [" + created(child) + "]\n");
  child.cancel();
  co_await catch_exception(w.async_wait());
}

TASKIO_TEST_CASE(a_task_blocked_on_a_lock_awaits_its_holder) {
  auto main = taskio::current_task();
  main.set_name("main");
  taskio::lock lk;
  co_await lk.acquire();  // main holds it
  auto w = taskio::create_task(lk.acquire(), "w");
  co_await taskio::sleep(1ms);
  std::ostringstream tree, table;
  taskio::dump_tasks(tree);
  taskio::dump_tasks(table, taskio::dump_format::table);
  BOOST_TEST(tree.str() == "└── (T) w  [" + created(w) + "]\n"
                           "    └── (Lock)\n"
                           "        └── (T) main  [" + created(main) + "]\n");
  BOOST_TEST(table.str().find(" Lock(main)") != std::string::npos);
  BOOST_TEST(table.str().find(" w via Lock") != std::string::npos);
  BOOST_TEST(no_ids(taskio::format_call_graph(main, 0)) == "* Task(name='main', id=*)\n"
                                                           "  + Awaited by:\n"
                                                           "    * Future(<Lock pending>)\n"
                                                           "      + Awaited by:\n"
                                                           "        * Task(name='w', id=*)");
  lk.release();
  co_await w.async_wait();  // w holds it now
  auto v = taskio::create_task(lk.acquire(), "v");
  co_await taskio::sleep(1ms);
  std::ostringstream after;
  taskio::dump_tasks(after);
  BOOST_TEST(after.str() == "├── (T) main  [" + created(main) + "]\n"
                            "└── (T) v  [" + created(v) + "]\n"
                            "    └── (Lock)\n");  // w ended holding it: no holder to show
  v.cancel();
  co_await catch_exception(v.async_wait());
}

TASKIO_TEST_CASE(a_task_waiting_for_a_lock_it_holds_is_a_cycle) {
  taskio::lock lk;
  auto twice = [&]() -> asio::awaitable<void> {
    co_await lk.acquire();
    co_await lk.acquire();  // never returns
  };
  auto t = taskio::create_task(twice(), "t");
  co_await taskio::sleep(1ms);
  std::ostringstream tree;
  taskio::dump_tasks(tree);
  BOOST_TEST(tree.str() == "ERROR: await-graph contains cycles - cannot print a tree!\n"
                           "cycle: t -> t\n");
  t.cancel();
  co_await catch_exception(t.async_wait());
}

TASKIO_TEST_CASE(tasks_blocked_on_an_event_a_queue_a_condition_a_semaphore_a_barrier) {
  auto main = taskio::current_task();
  main.set_name("main");
  taskio::event ev;
  taskio::queue<int> empty;
  taskio::queue<int> full(1);
  full.put_nowait(1);
  taskio::condition cond;
  taskio::semaphore sem(0);
  taskio::barrier bar(2);
  auto on_cond = [&]() -> asio::awaitable<void> {
    co_await taskio::async_with(cond, [&](taskio::condition& c) { return c.wait(); });
  };
  auto e = taskio::create_task(ev.wait(), "e");
  auto g = taskio::create_task(empty.get(), "g");
  auto p = taskio::create_task(full.put(2), "p");
  auto c = taskio::create_task(on_cond(), "c");
  auto s = taskio::create_task(sem.acquire(), "s");
  auto b = taskio::create_task(bar.wait(), "b");
  co_await taskio::sleep(1ms);
  const std::string tree = dumped();
  BOOST_TEST(tree == "├── (T) main  [" + created(main) + "]\n"
                           "├── (T) e  [" + created(e) + "]\n"
                           "│   └── (Event)\n"
                           "├── (T) g  [" + created(g) + "]\n"
                           "│   └── (Queue.get)\n"
                           "├── (T) p  [" + created(p) + "]\n"
                           "│   └── (Queue.put)\n"
                           "├── (T) c  [" + created(c) + "]\n"
                           "│   └── (Condition)\n"
                           "├── (T) s  [" + created(s) + "]\n"
                           "│   └── (Semaphore)\n"
                           "└── (T) b  [" + created(b) + "]\n"
                           "    └── (Barrier)\n");
  for (auto* t : {&e, &p, &c, &s}) t->cancel();
  g.cancel();
  b.cancel();
  for (auto* t : {&e, &p, &c, &s}) co_await catch_exception(t->async_wait());
  co_await catch_exception(g.async_wait());
  co_await catch_exception(b.async_wait());
}

// --- run_options::dump_tasks_signal

BOOST_AUTO_TEST_CASE(the_dump_signal_writes_the_tree_to_the_log_and_the_loop_goes_on) {
  level_guard g(boost::log::trivial::info);
  std::string expected;
  taskio::run(
      [](std::string& expected) -> asio::awaitable<void> {
        auto main = taskio::current_task();
        main.set_name("main");
        auto child = taskio::create_task(nap(), "child");
        auto body = [&]() -> asio::awaitable<void> { co_await child.async_wait(); };
        auto w = taskio::create_task(body(), "w");
        co_await taskio::sleep(1ms);
        expected = "dump_tasks (signal " + std::to_string(SIGUSR1) + "):\n"
                   "├── (T) main  [" + created(main) + "]\n"
                   "└── (T) w  [" + created(w) + "]\n"
                   "    └── (T) child  [" + created(child) + "]\n";
        for (std::size_t n : {1u, 2u}) {
          std::raise(SIGUSR1);
          for (int i = 0; i < 1000 && records_with("dump_tasks").size() < n; ++i) co_await taskio::sleep(1ms);
          BOOST_TEST(records_with("dump_tasks").size() == n);  // each signal, and the loop goes on
        }
        child.cancel();
        co_await catch_exception(w.async_wait());
      }(expected),
      {.virtual_time = true, .handle_signals = false, .dump_tasks_signal = SIGUSR1});
  const auto records = records_with("dump_tasks");
  BOOST_REQUIRE(records.size() == 2u);
  BOOST_TEST(records[0].message == expected);
  BOOST_TEST(records[0].channel == "taskio");
  BOOST_TEST(records[0].severity == boost::log::trivial::info);
  struct sigaction sa {};
  ::sigaction(SIGUSR1, nullptr, &sa);
  BOOST_TEST((sa.sa_handler == SIG_DFL));  // given back after the run
}

BOOST_AUTO_TEST_CASE(the_dump_signal_must_be_a_catchable_signal_and_no_stop_signal) {
  auto nothing = []() -> asio::awaitable<void> { co_return; };
  BOOST_CHECK_EXCEPTION(taskio::run(nothing(), {.handle_signals = false, .dump_tasks_signal = SIGKILL}),
                        std::invalid_argument, [](const std::invalid_argument& e) {
                          return std::string(e.what()) == "taskio::run_options::dump_tasks_signal: " +
                                                              std::to_string(SIGKILL) +
                                                              " is not a signal that can be caught";
                        });
  BOOST_CHECK_THROW(taskio::run(nothing(), {.handle_signals = false, .dump_tasks_signal = -1}),
                    std::invalid_argument);
  BOOST_CHECK_EXCEPTION(
      taskio::run(nothing(), {.stop_signals = {SIGINT, SIGTERM}, .dump_tasks_signal = SIGTERM}),
      std::invalid_argument, [](const std::invalid_argument& e) {
        return std::string(e.what()) ==
               "taskio::run_options::dump_tasks_signal: " + std::to_string(SIGTERM) + " is also a stop signal";
      });
}

// --- debug mode: a long task group or timeout scope wait

namespace {
const taskio::run_options debug_virtual{.debug = true, .virtual_time = true, .handle_signals = false};
}  // namespace

BOOST_AUTO_TEST_CASE(a_task_group_waiting_too_long_names_the_children_it_still_awaits) {
  level_guard g(boost::log::trivial::warning);
  std::string expected;
  std::size_t before = 99, after = 99;
  taskio::run(
      [](std::string& expected, std::size_t& before, std::size_t& after) -> asio::awaitable<void> {
        auto main = taskio::current_task();
        main.set_name("main");
        taskio::task<void> c2;
        auto observe = [&]() -> asio::awaitable<void> {
          co_await taskio::sleep(10s - 1ms);
          before = records_with("has been waiting").size();
          expected = described(main) + " has been waiting in a TaskGroup for 10.000 s; it awaits "
                     "TaskGroup(c2, observer): " + described(c2) + ", " + described(taskio::current_task());
          co_await taskio::sleep(2ms);
          after = records_with("has been waiting").size();
        };
        co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
          tg.create_task(sleep_for(5s), "c1");
          c2 = tg.create_task(sleep_for(25s), "c2");
          tg.create_task(observe(), "observer");
          co_return;
        });
        BOOST_TEST(vt() == 25s);
      }(expected, before, after),
      debug_virtual);
  BOOST_TEST(before == 0u);
  BOOST_TEST(after == 1u);
  const auto records = records_with("has been waiting");
  BOOST_REQUIRE(records.size() == 1u);  // once per wait
  BOOST_TEST(records[0].message == expected);
  BOOST_TEST(records[0].severity == boost::log::trivial::warning);
  BOOST_TEST(records[0].task == "main");
}

BOOST_AUTO_TEST_CASE(a_timeout_scope_waiting_too_long_names_what_it_awaits) {
  level_guard g(boost::log::trivial::warning);
  std::string expected;
  taskio::run_options opts = debug_virtual;
  opts.slow_wait_duration = 2s;
  taskio::run(
      [](std::string& expected) -> asio::awaitable<void> {
        auto main = taskio::current_task();
        main.set_name("main");
        auto child = taskio::create_task(sleep_for(20s), "child");
        expected = described(main) + " has been waiting in a timeout scope for 2.000 s; it awaits child: " +
                   described(child);
        co_await taskio::timeout(1h, child.async_wait());
        // a scope that ends in time says nothing
        co_await taskio::timeout(1h, sleep_for(1s));
      }(expected),
      opts);
  const auto records = records_with("has been waiting");
  BOOST_REQUIRE(records.size() == 1u);
  BOOST_TEST(records[0].message == expected);
}

BOOST_AUTO_TEST_CASE(no_slow_wait_warning_outside_debug_mode) {
  level_guard g(boost::log::trivial::trace);
  run_virtual([]() -> asio::awaitable<void> {
    co_await taskio::async_with(taskio::task_group{}, [](taskio::task_group& tg) -> asio::awaitable<void> {
      tg.create_task(sleep_for(1h));
      co_return;
    });
    co_await taskio::timeout(2h, sleep_for(1h));
  }());
  BOOST_TEST(records_with("has been waiting").empty());
}

BOOST_AUTO_TEST_SUITE_END()
