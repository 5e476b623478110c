// Unit tests of <taskio/introspection.hpp>: the exact await graph of known
// task structures (a task awaiting a group of children awaiting sleeps, a
// gather, a shield, a cycle), as capture_call_graph, format_call_graph and
// dump_tasks render it. Virtual time.
#include <taskio/introspection.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <taskio/detail/call_stack.hpp>

#include <regex>
#include <sstream>
#include <string>

using namespace taskio_test;

namespace {

/// "introspection.cpp:42": where `t` was created.
std::string created(const taskio::task_ref& t) {
  const auto& where = t.state()->where();
  std::string file = where.file_name();
  return file.substr(file.rfind('/') + 1) + ":" + std::to_string(where.line());
}

/// The text with every "id=0x..." replaced by "id=*".
std::string no_ids(const std::string& s) { return std::regex_replace(s, std::regex("id=0x[0-9a-f]+"), "id=*"); }

asio::awaitable<void> nap() { co_await taskio::sleep(1h); }

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
    std::ostringstream os;
    taskio::dump_tasks(os);
    tree = os.str();
    expected = "├── (T) " + main.get_name() + "  [" + created(main) + "]\n"
               "│   └── (gather)\n"
               "│       ├── (T) a  [" + created(a) + "]\n"
               "│       └── (T) b  [" + created(b) + "]\n"
               "└── (T) observer  [" + created(taskio::current_task()) + "]\n";
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

TASKIO_TEST_CASE(a_suspended_task_s_call_stack_is_its_coroutine_chain_innermost_first) {
  auto t = taskio::create_task(outer(), "nested");
  // not started yet: the one frame known, where it was created
  const auto before = t.get_stack();
  BOOST_REQUIRE(before.size() == 1u);
  BOOST_TEST(before[0].line == t.state()->where().line());
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
    const auto id = std::to_string(t.state()->id());
    return "  t" + id + " [label=\"" + label + "\\nid=" + id + " pending\\n" + created(t) + "\"];\n";
  };
  auto observe = [&]() -> asio::awaitable<void> {
    co_await taskio::sleep(1ms);
    std::ostringstream os;
    taskio::dump_tasks(os, taskio::dump_format::dot);
    dot = os.str();
    const auto t = [](const taskio::task_ref& t) { return "t" + std::to_string(t.state()->id()); };
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

BOOST_AUTO_TEST_SUITE_END()
