// Context variables (<taskio/context.hpp>): the rules of Python's contextvars
// and of asyncio's tasks using them, case by case. Ported from CPython's
// Lib/test/test_context.py (ContextTest), the context cases of
// test_asyncio/test_tasks.py (test_context_1..6), test_taskgroups.py and
// test_runners.py (Runner keeps its context). Virtual time.
#include <taskio/context.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace taskio_test;

BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<int>)
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<std::string>)
BOOST_TEST_DONT_PRINT_LOG_VALUE(taskio::context)

namespace {

/// Runs f in a new empty context (CPython's @isolated_context): what the
/// test sets never reaches the test thread's own context.
template <class F>
void isolated(F f) {
  taskio::context().run(f);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(context_vars)

// ---------------------------------------------------------------------------
// Variables, tokens and contexts without tasks (test_context.py)

BOOST_AUTO_TEST_CASE(var_name_default_and_lookup_error) {
  isolated([] {
    taskio::context_var<int> a("a");
    taskio::context_var<std::string> b("b", "dflt");
    BOOST_TEST(a.name() == "a");
    BOOST_CHECK_THROW(a.get(), taskio::lookup_error);
    BOOST_TEST(a.get(7) == 7);
    BOOST_TEST(b.get() == "dflt");
    BOOST_TEST(b.get("fallback") == "fallback");  // ContextVar.get(default) wins over the var's default
    try {
      a.get();
    } catch (const taskio::lookup_error& e) {
      BOOST_TEST(std::string(e.what()).find("'a'") != std::string::npos);
    }
    a.set(1);
    BOOST_TEST(a.get() == 1);
    BOOST_TEST(a.get(7) == 1);
  });
}

BOOST_AUTO_TEST_CASE(getset_tokens_and_copies) {  // test_context_getset_1
  isolated([] {
    taskio::context_var<std::string> c("c");
    auto t0 = c.set("42");
    BOOST_TEST(c.get() == "42");
    BOOST_TEST(t0.var_name() == "c");
    BOOST_TEST(!t0.used());

    auto t = c.set("spam");
    BOOST_TEST(c.get() == "spam");
    c.reset(t);
    BOOST_TEST(c.get() == "42");
    BOOST_TEST(t.used());

    c.set("spam2");
    BOOST_CHECK_THROW(c.reset(t), std::runtime_error);  // "has already been used"
    BOOST_TEST(c.get() == "spam2");

    taskio::context ctx1 = taskio::copy_context();
    BOOST_TEST(ctx1.contains(c));

    c.reset(t0);
    BOOST_CHECK_THROW(c.reset(t0), std::runtime_error);
    BOOST_TEST(!c.get(std::string("none")).empty());
    BOOST_TEST(c.get("none") == "none");

    // the snapshot keeps the value it had
    BOOST_TEST(ctx1.get(c) == std::optional<std::string>("spam2"));
    BOOST_TEST(ctx1.size() == 1u);

    taskio::context ctx2 = taskio::copy_context();
    BOOST_TEST(!ctx2.contains(c));
    BOOST_TEST(!ctx2.get(c).has_value());
    BOOST_TEST(ctx2.size() == 0u);
  });
}

BOOST_AUTO_TEST_CASE(token_copies_are_one_token) {
  isolated([] {
    taskio::context_var<int> v("v");
    auto t = v.set(1);
    auto copy = t;
    v.reset(copy);
    BOOST_TEST(t.used());
    BOOST_CHECK_THROW(v.reset(t), std::runtime_error);
    BOOST_CHECK_THROW(v.get(), taskio::lookup_error);
  });
}

BOOST_AUTO_TEST_CASE(reset_with_a_token_of_another_variable) {  // test_context_getset_2
  isolated([] {
    taskio::context_var<int> v1("v1");
    taskio::context_var<int> v2("v2");
    auto t1 = v1.set(42);
    try {
      v2.reset(t1);
      BOOST_FAIL("reset accepted another variable's token");
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()).find("by a different") != std::string::npos);
    }
    BOOST_TEST(!t1.used());
    BOOST_TEST(v1.get() == 42);
  });
}

BOOST_AUTO_TEST_CASE(set_inside_run_is_seen_by_the_context) {  // test_context_getset_3
  isolated([] {
    taskio::context_var<int> c("c", 42);
    taskio::context ctx;
    ctx.run([&] {
      BOOST_TEST(c.get() == 42);
      BOOST_TEST(!ctx.get(c).has_value());
      BOOST_TEST(!ctx.contains(c));
      auto t = c.set(1);
      BOOST_TEST(ctx.get(c) == std::optional<int>(1));
      c.reset(t);
      BOOST_TEST(!ctx.contains(c));
    });
  });
}

BOOST_AUTO_TEST_CASE(reset_in_another_context) {  // test_context_getset_4
  isolated([] {
    taskio::context_var<int> c("c", 42);
    taskio::context ctx;
    auto tok = ctx.run([&] { return c.set(1); });
    try {
      c.reset(tok);
      BOOST_FAIL("reset accepted a token of another context");
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()).find("different context") != std::string::npos);
    }
  });
}

BOOST_AUTO_TEST_CASE(a_copy_does_not_leak_into_the_original) {  // test_context_getset_5
  isolated([] {
    taskio::context_var<std::vector<int>> c("c");
    c.set({});
    taskio::copy_context().run([&] {
      c.set({});
      auto v = c.get();
      v.push_back(42);
      c.set(v);
      BOOST_TEST(c.get().size() == 1u);
    });
    BOOST_TEST(c.get().empty());
  });
}

BOOST_AUTO_TEST_CASE(run_passes_arguments_and_returns) {  // test_context_run_2/3
  taskio::context ctx;
  auto r = ctx.run([](int a, std::string b) { return b + std::to_string(a); }, 11, std::string("x"));
  BOOST_TEST(r == "x11");
  BOOST_CHECK_THROW(ctx.run([] { throw std::domain_error("1/0"); }), std::domain_error);
  // entering again after an exception works
  BOOST_TEST(ctx.run([] { return 1; }) == 1);
}

BOOST_AUTO_TEST_CASE(nested_runs) {  // test_context_run_4
  isolated([] {
    taskio::context ctx1;
    taskio::context ctx2;
    taskio::context_var<std::string> var("var");
    auto returned = ctx1.run([&] {
      BOOST_TEST(var.get("none") == "none");
      var.set("spam");
      ctx2.run([&] { BOOST_TEST(var.get("none") == "none"); });
      BOOST_TEST(var.get("none") == "spam");
      taskio::context cur = taskio::copy_context();
      BOOST_TEST(cur.size() == 1u);
      BOOST_TEST(cur.get(var) == std::optional<std::string>("spam"));
      return cur;
    });
    BOOST_TEST(!(returned == ctx1));  // a copy, not ctx1 itself
    BOOST_TEST(ctx1.get(var) == std::optional<std::string>("spam"));
    BOOST_TEST(returned.get(var) == std::optional<std::string>("spam"));
  });
}

BOOST_AUTO_TEST_CASE(an_exception_leaves_the_context) {  // test_context_run_5
  isolated([] {
    taskio::context ctx;
    taskio::context_var<std::string> var("var");
    BOOST_CHECK_THROW(ctx.run([&] {
      var.set("spam");
      throw std::domain_error("1/0");
    }),
                      std::domain_error);
    BOOST_TEST(var.get("none") == "none");
    BOOST_TEST(ctx.get(var) == std::optional<std::string>("spam"));
  });
}

BOOST_AUTO_TEST_CASE(context_get_ignores_the_default) {  // test_context_run_6
  taskio::context ctx;
  taskio::context_var<int> c("a", 0);
  ctx.run([&] {
    BOOST_TEST(c.get() == 0);
    BOOST_TEST(!ctx.get(c).has_value());
    c.set(42);
    BOOST_TEST(c.get() == 42);
    BOOST_TEST(ctx.get(c) == std::optional<int>(42));
  });
}

BOOST_AUTO_TEST_CASE(run_is_not_reentrant) {  // test_context_run_7
  taskio::context ctx;
  bool threw = false;
  ctx.run([&] {
    try {
      ctx.run([] {});
    } catch (const std::runtime_error& e) {
      threw = std::string(e.what()).find("is already entered") != std::string::npos;
    }
  });
  BOOST_TEST(threw);
}

BOOST_AUTO_TEST_CASE(copy_of_a_context) {  // test_context_copy_1
  taskio::context ctx1;
  taskio::context_var<int> c("c", 42);
  ctx1.run([&] {
    c.set(10);
    taskio::context ctx2 = ctx1.copy();
    BOOST_TEST(ctx2.get(c) == std::optional<int>(10));
    c.set(20);
    BOOST_TEST(ctx1.get(c) == std::optional<int>(20));
    BOOST_TEST(ctx2.get(c) == std::optional<int>(10));
    ctx2.run([&] {
      BOOST_TEST(c.get() == 10);
      c.set(30);
      BOOST_TEST(c.get() == 30);
    });
    BOOST_TEST(ctx1.get(c) == std::optional<int>(20));
    BOOST_TEST(ctx2.get(c) == std::optional<int>(30));
  });
}

BOOST_AUTO_TEST_CASE(each_thread_has_its_own_context) {  // test_context_threads_1
  taskio::context_var<int> cvar("cvar");
  std::vector<std::thread> threads;
  std::vector<int> seen(4, -1);
  for (int n = 0; n < 4; ++n)
    threads.emplace_back([&, n] {
      int ok = 1;
      for (int i = 0; i < 100; ++i) {
        cvar.set(n * 1000 + i);
        std::this_thread::yield();
        if (cvar.get() != n * 1000 + i) ok = 0;
      }
      seen[n] = ok;
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(seen == std::vector<int>({1, 1, 1, 1}), boost::test_tools::per_element());
  BOOST_CHECK_THROW(cvar.get(), taskio::lookup_error);  // never set on this thread
}

// ---------------------------------------------------------------------------
// Tasks (test_tasks.py test_context_1..6 and friends)

taskio::context_var<std::string> cvar("cvar", "nope");

TASKIO_TEST_CASE(child_copies_at_creation_and_never_leaks) {  // test_context_1
  auto sub = []() -> asio::awaitable<void> {
    co_await taskio::sleep(10ms);
    BOOST_TEST(cvar.get() == "nope");  // created before the parent's set
    cvar.set("something else");
  };
  BOOST_TEST(cvar.get() == "nope");
  auto subtask = taskio::create_task(sub());
  cvar.set("yes");
  BOOST_TEST(cvar.get() == "yes");
  co_await subtask.async_wait();
  BOOST_TEST(cvar.get() == "yes");
}

TASKIO_TEST_CASE(child_sees_what_was_set_before_it_was_created) {
  cvar.set("parent");
  auto child = taskio::create_task([]() -> asio::awaitable<std::string> {
    std::string seen = cvar.get();
    cvar.set("child");
    auto grandchild = taskio::create_task([]() -> asio::awaitable<std::string> { co_return cvar.get(); });
    co_return seen + "/" + co_await grandchild.async_wait();
  });
  BOOST_TEST(co_await child.async_wait() == "parent/child");
  BOOST_TEST(cvar.get() == "parent");
}

TASKIO_TEST_CASE(done_callbacks_do_not_pollute_the_task) {  // test_context_2
  for (int j = 0; j < 2; ++j) {
    taskio::future<void> fut;
    std::string seen_by_callback;
    fut.add_done_callback([&](const taskio::future<void>&) {
      seen_by_callback = cvar.get();
      cvar.set("something else");  // must not reach main
    });
    cvar.set("yes" + std::to_string(j));  // after the registration: not seen by the callback
    taskio::call_soon([fut] { fut.set_result(); });
    co_await fut.async_wait();
    BOOST_TEST(cvar.get() == "yes" + std::to_string(j));
    co_await taskio::sleep(0ms);  // the callback ran by now
    BOOST_TEST(seen_by_callback == (j == 0 ? "nope" : "yes2-0"));  // the value at registration
    for (int i = 0; i < 3; ++i) {
      cvar.set("yes" + std::to_string(i) + "-" + std::to_string(j));
      co_await taskio::sleep(1ms);
      BOOST_TEST(cvar.get() == "yes" + std::to_string(i) + "-" + std::to_string(j));
    }
  }
}

TASKIO_TEST_CASE(task_done_callback_runs_in_a_copy_of_the_registering_context) {
  auto t = taskio::create_task(taskio::sleep(5ms));
  cvar.set("registered");
  std::string a, b;
  t.add_done_callback([&](const taskio::task<void>&) {
    a = cvar.get();
    cvar.set("changed by the callback");
  });
  taskio::task_ref(t).add_done_callback([&](const taskio::task_ref&) { b = cvar.get(); });
  cvar.set("later");
  co_await t.async_wait();
  co_await taskio::sleep(0ms);
  BOOST_TEST(a == "registered");
  BOOST_TEST(b == "registered");  // the first callback's set stayed in its copy
  BOOST_TEST(cvar.get() == "later");
}

TASKIO_TEST_CASE(call_soon_runs_in_a_copy_of_the_scheduling_context) {
  cvar.set("scheduled");
  std::string seen;
  taskio::call_soon([&] {
    seen = cvar.get();
    cvar.set("by the callback");
  });
  cvar.set("after");
  co_await taskio::sleep(0ms);
  BOOST_TEST(seen == "scheduled");
  BOOST_TEST(cvar.get() == "after");
}

TASKIO_TEST_CASE(hundred_tasks_each_with_its_own_value) {  // test_context_3
  taskio::context_var<int> v("v", -1);
  std::vector<taskio::task<int>> tasks;
  for (int n = 0; n < 100; ++n)
    tasks.push_back(taskio::create_task([&v, n]() -> asio::awaitable<int> {
      int ok = 1;
      for (int i = 0; i < 10; ++i) {
        v.set(n + i);
        co_await taskio::sleep(std::chrono::milliseconds((n * 7 + i * 13) % 50));
        if (v.get() != n + i) ok = 0;
      }
      co_return ok;
    }));
  auto oks = co_await taskio::gather(tasks);
  BOOST_TEST(std::count(oks.begin(), oks.end(), 1) == 100);
  BOOST_TEST(v.get() == -1);
}

TASKIO_TEST_CASE(task_runs_in_the_given_context) {  // test_context_4/5/6
  taskio::context_var<int> v("v");
  auto coro = [&v](int val) -> asio::awaitable<void> {
    co_await taskio::sleep(0ms);
    v.set(val);
  };
  std::vector<std::optional<int>> ret;
  taskio::context ctx = taskio::copy_context();
  ret.push_back(ctx.get(v));
  auto t1 = taskio::create_task(coro(1), {.name = "t1", .context = ctx});
  BOOST_TEST(t1.get_name() == "t1");
  co_await t1.async_wait();
  ret.push_back(ctx.get(v));
  auto t2 = taskio::create_task(coro(2), {.name = {}, .context = ctx});
  co_await t2.async_wait();
  ret.push_back(ctx.get(v));
  BOOST_TEST((ret == std::vector<std::optional<int>>{std::nullopt, 1, 2}));
  BOOST_TEST(!v.get(0));  // never set in main's own context
  BOOST_TEST(t1.get_context() == ctx);
  BOOST_TEST(t2.get_context() == ctx);
}

TASKIO_TEST_CASE(get_context_is_the_tasks_own_copy) {
  cvar.set("creator");
  auto t = taskio::create_task([]() -> asio::awaitable<void> {
    co_await taskio::sleep(1ms);
    cvar.set("inside");
  });
  taskio::context c = t.get_context();
  BOOST_TEST(c.get(cvar) == std::optional<std::string>("creator"));
  BOOST_TEST(c == t.get_context());  // the same context each time
  BOOST_TEST(!(c == taskio::current_task().get_context()));
  co_await t.async_wait();
  BOOST_TEST(c.get(cvar) == std::optional<std::string>("inside"));  // the task's sets are in it
  BOOST_TEST(cvar.get() == "creator");
  // it outlives the task and can be entered once the task is done
  BOOST_TEST(c.run([] { return cvar.get(); }) == "inside");
}

TASKIO_TEST_CASE(a_task_cannot_enter_its_own_context) {
  bool threw = false;
  try {
    taskio::current_task().get_context().run([] {});
  } catch (const std::runtime_error& e) {
    threw = std::string(e.what()).find("is already entered") != std::string::npos;
  }
  BOOST_TEST(threw);
  co_return;
}

TASKIO_TEST_CASE(two_tasks_sharing_a_context_see_each_others_sets) {
  taskio::context_var<int> v("v", 0);
  taskio::context shared;
  auto write = [&v]() -> asio::awaitable<void> {
    v.set(1);
    co_await taskio::sleep(2ms);
    v.set(2);
  };
  auto read = [&v]() -> asio::awaitable<std::vector<int>> {
    std::vector<int> seen;
    for (int i = 0; i < 3; ++i) {
      seen.push_back(v.get());
      co_await taskio::sleep(1ms);
    }
    co_return seen;
  };
  auto writer = taskio::create_task(write(), {.name = "writer", .context = shared});
  auto reader = taskio::create_task(read(), {.name = "reader", .context = shared});
  co_await writer.async_wait();
  auto seen = co_await reader.async_wait();
  BOOST_TEST((seen == std::vector<int>{1, 1, 2}));
  BOOST_TEST(v.get() == 0);
}

TASKIO_TEST_CASE(gather_of_awaitables_runs_each_in_a_copy) {
  cvar.set("parent");
  auto body = [](std::string val) -> asio::awaitable<std::string> {
    std::string before = cvar.get();
    cvar.set(val);
    co_await taskio::sleep(1ms);
    co_return before + ">" + cvar.get();
  };
  auto [a, b] = co_await taskio::gather(body("a"), body("b"));
  BOOST_TEST(a == "parent>a");
  BOOST_TEST(b == "parent>b");
  BOOST_TEST(cvar.get() == "parent");
}

asio::awaitable<void> record(taskio::context_var<int>& v, std::vector<int>& seen, int then_set) {
  seen.push_back(v.get());
  v.set(then_set);
  co_return;
}

TASKIO_TEST_CASE(task_group_children_copy_the_body_context) {  // test_taskgroups.py
  taskio::context_var<int> v("v", 0);
  taskio::context given;
  std::vector<int> seen;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    v.set(1);
    tg.create_task(record(v, seen, 10));
    v.set(2);
    tg.create_task(record(v, seen, 20), taskio::task_options{.name = "in-given", .context = given});
    co_return;
  });
  BOOST_TEST((seen == std::vector<int>{1, 0}));
  BOOST_TEST(v.get() == 2);  // the body runs in the parent task: its sets stay
  BOOST_TEST(given.get(v) == std::optional<int>(20));
}

TASKIO_TEST_CASE(a_set_in_a_cancelled_child_stays_in_the_child) {
  auto child = taskio::create_task([]() -> asio::awaitable<void> {
    cvar.set("child");
    co_await taskio::sleep(1h);
  });
  co_await taskio::sleep(0ms);
  child.cancel();
  co_await catch_exception(child.async_wait());
  BOOST_TEST(child.cancelled());
  BOOST_TEST(cvar.get() == "nope");
  BOOST_TEST(child.get_context().get(cvar) == std::optional<std::string>("child"));
}

TASKIO_REAL_TIME_TEST_CASE(to_thread_runs_in_a_copy_of_the_callers_context) {
  cvar.set("caller");
  std::string seen = co_await taskio::to_thread([] {
    std::string s = cvar.get();
    cvar.set("thread");
    return s + ">" + cvar.get();
  });
  BOOST_TEST(seen == "caller>thread");
  BOOST_TEST(cvar.get() == "caller");
  // the pool thread did not keep the value either
  cvar.set("second");
  BOOST_TEST(co_await taskio::to_thread([] { return cvar.get(); }) == "second");
}

BOOST_AUTO_TEST_CASE(runner_keeps_one_context_across_runs) {  // test_runners.py test_run_keeps_context
  taskio::context_var<int> v("v", -1);
  auto f = [&v](int val) -> asio::awaitable<int> {
    int old = v.get();
    co_await taskio::sleep(0ms);
    v.set(val);
    co_return old;
  };
  taskio::runner r(taskio::run_options{.virtual_time = true, .handle_signals = false});
  BOOST_TEST(r.run(f(1)) == -1);
  BOOST_TEST(r.run(f(2)) == 1);
  auto ctx = r.run([]() -> asio::awaitable<taskio::context> { co_return taskio::copy_context(); }());
  BOOST_TEST(ctx.get(v) == std::optional<int>(2));
  // run(main, ctx): main runs in ctx itself
  taskio::context other;
  BOOST_TEST(r.run(f(3), other) == -1);
  BOOST_TEST(other.get(v) == std::optional<int>(3));
  BOOST_TEST(r.run(f(4)) == 2);
  r.close();
  BOOST_TEST(v.get() == -1);  // the thread's own context never changed
}

BOOST_AUTO_TEST_CASE(run_copies_the_calling_threads_context) {
  isolated([] {
    taskio::context_var<int> v("v", 0);
    v.set(5);
    auto main = [&v]() -> asio::awaitable<int> {
      int s = v.get();
      v.set(6);
      co_return s;
    };
    int seen = taskio::run(main(), {.virtual_time = true, .handle_signals = false});
    BOOST_TEST(seen == 5);
    BOOST_TEST(v.get() == 5);
  });
}

BOOST_AUTO_TEST_SUITE_END()
