// Unit tests of <taskio/task_group.hpp>: the TaskGroup API, its rules
// (doc/semantics.md 5.2-5.5, TaskGroup) and its misuse errors. The outcome table (5.6) and
// colliding cancellations are in test/semantics/task_group.cpp.
#include <taskio/task_group.hpp>  // first: the header is self-contained

#include "../task_group_support.hpp"

using namespace taskio_test;
using namespace taskio_test::groups;
using taskio::cancelled_error;

namespace {

/// The what() of a std::runtime_error held by `e`.
std::string runtime_error_text(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::runtime_error& x) {
    return x.what();
  } catch (...) {
    return "<not a runtime_error: " + taskio::describe_exception(e) + ">";
  }
}

/// Sets *flag when destroyed (moved-from copies do not).
struct destroy_flag {
  bool* flag;
  explicit destroy_flag(bool* f) : flag(f) {}
  destroy_flag(destroy_flag&& o) noexcept : flag(std::exchange(o.flag, nullptr)) {}
  ~destroy_flag() {
    if (flag) *flag = true;
  }
};

asio::awaitable<void> probe(bool& ran, destroy_flag) {
  ran = true;
  co_return;
}

/// create_task must refuse with `phrase` and destroy the coroutine unrun.
void check_refused(taskio::task_group& tg, const std::string& phrase) {
  bool ran = false, destroyed = false;
  try {
    tg.create_task(probe(ran, destroy_flag(&destroyed)));
    BOOST_FAIL("create_task must refuse");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find(phrase) != std::string::npos, e.what());
  }
  BOOST_TEST(!ran);
  BOOST_TEST(destroyed);
}

asio::io_context& loop_context(const asio::any_io_executor& ex) {
  return static_cast<asio::io_context&>(asio::query(ex, asio::execution::context));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(task_group)

TASKIO_TEST_CASE(the_exit_waits_for_every_child) {
  taskio::task<int> a, b;
  trace tr;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    a = tg.create_task(value_after(1s, 42));
    b = tg.create_task(value_after(2s, 11));
    tr("body");
    BOOST_TEST(!a.done());  // scheduled, not run: the body continues first
    co_return;
  });
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(a.result() == 42);
  BOOST_TEST(b.result() == 11);
  BOOST_TEST(tr.str() == "body");
  BOOST_TEST(cancelling() == 0);
}

TASKIO_TEST_CASE(children_created_later_in_the_body_are_awaited) {
  taskio::task<int> a, b;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    a = tg.create_task(value_after(1s, 42));
    co_await taskio::sleep(1500ms);
    b = tg.create_task(value_after(2s, 11));
  });
  BOOST_TEST(vt() == 3500ms);
  BOOST_TEST(a.result() == 42);
  BOOST_TEST(b.result() == 11);
}

TASKIO_TEST_CASE(a_child_cancelled_by_the_body_is_not_an_error) {
  taskio::task<int> a, b;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    a = tg.create_task(value_after(1s, 42));
    co_await taskio::sleep(150ms);
    a.cancel();
    b = tg.create_task(value_after(200ms, 11));
  });
  BOOST_TEST(vt() == 350ms);
  BOOST_TEST(a.cancelled());
  BOOST_TEST(b.result() == 11);
  BOOST_TEST(cancelling() == 0);
}

TASKIO_TEST_CASE(a_child_cancelling_itself_is_not_an_error) {
  taskio::task<void> t;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    t = tg.create_task([]() -> asio::awaitable<void> {
      co_await taskio::sleep(1s);
      throw cancelled_error("by itself");
    }());
    co_return;
  });
  BOOST_TEST(t.cancelled());
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(children_get_their_names) {
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    auto t = tg.create_task([]() -> asio::awaitable<std::string> {
      co_return taskio::current_task().get_name();
    }(), "yolo");
    BOOST_TEST(t.get_name() == "yolo");
    BOOST_TEST(co_await t.async_wait() == "yolo");
  });
}

TASKIO_TEST_CASE(children_run_on_the_parent_s_executor) {
  auto& io = loop_context(co_await asio::this_coro::executor);
  auto strand = asio::make_strand(io);
  auto parent = taskio::create_task(strand, [](decltype(strand)& strand) -> asio::awaitable<bool> {
    bool on_strand = false;
    co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
      tg.create_task([](decltype(strand)& s, bool& on) -> asio::awaitable<void> {
        on = s.running_in_this_thread();
        co_return;
      }(strand, on_strand));
      co_return;
    });
    co_return on_strand;
  }(strand));
  BOOST_TEST(co_await parent.async_wait());
  BOOST_TEST(!strand.running_in_this_thread());  // the test itself is not on it
}

TASKIO_TEST_CASE(children_created_by_children_while_exiting_are_awaited) {
  int grandchildren = 0;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task([](taskio::task_group& tg, int& n) -> asio::awaitable<void> {
      co_await taskio::sleep(1s);  // the body has reached the exit by now
      tg.create_task([](int& n) -> asio::awaitable<void> {
        co_await taskio::sleep(2s);
        ++n;
      }(n));
    }(tg, grandchildren));
    co_return;
  });
  BOOST_TEST(vt() == 3s);
  BOOST_TEST(grandchildren == 1);
}

TASKIO_TEST_CASE(the_exit_keeps_waiting_when_the_parent_is_cancelled) {
  // No child outlives its group: a cancelled exit cancels the children and
  // still waits for them; a second cancel while waiting changes nothing.
  taskio::task<void> child;
  auto t = taskio::create_task(taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    child = tg.create_task(slow_to_cancel(5s));
    co_return;
  }));
  co_await taskio::sleep(1s);
  BOOST_TEST(t.cancel("stop"));
  co_await taskio::sleep(2s);
  BOOST_TEST(!t.done());
  BOOST_TEST(t.cancel("again"));
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(vt() == 6s);
  BOOST_TEST(child.done());
  BOOST_TEST(!child.cancelled());  // it swallowed the cancellation
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "stop");  // the first one, which started the abort
  BOOST_TEST(t.cancelling() == 2);
}

TASKIO_TEST_CASE(child_errors_are_retrieved_by_the_group) {
  clear_logs();
  auto e = co_await catch_exception(taskio::async_with(taskio::task_group{}, [](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(fail_after(1s, "collected"));
    co_return;
  }));
  BOOST_TEST(members(e) == "collected");
  co_await taskio::sleep(1s);  // every handle of the child is gone by now
  BOOST_TEST(!logged("never retrieved"));
}

TASKIO_TEST_CASE(a_child_failing_after_its_parent_finished_is_logged) {
  // Only reachable when a group is entered by hand and never exited.
  clear_logs();
  auto parent = taskio::create_task([]() -> asio::awaitable<void> {
    taskio::task_group tg;
    co_await tg.aenter();
    tg.create_task(fail_after(1s, "late"), "late-child");
  }());
  co_await parent.async_wait();
  co_await taskio::sleep(2s);
  bool found = false;
  for (const auto& r : captured_logs())
    if (r.message.find("Task <Task finished name='late-child' exception=late created at ") == 0 &&
        r.message.find("has errored out but its parent task <Task finished") != std::string::npos &&
        r.message.ends_with("is already completed")) {
      found = true;
      BOOST_TEST(r.severity == boost::log::trivial::error);
      BOOST_TEST(r.channel == "taskio");
    }
  BOOST_TEST(found);
}

TASKIO_TEST_CASE(repr_shows_children_errors_and_state) {
  taskio::task_group tg;
  BOOST_TEST(tg.repr() == "<TaskGroup>");
  auto e = co_await catch_exception(taskio::async_with(tg, [&](taskio::task_group& g) -> asio::awaitable<void> {
    BOOST_TEST(g.repr() == "<TaskGroup entered>");
    g.create_task(forever());
    g.create_task(fail_after(1s, "x"));
    BOOST_TEST(g.repr() == "<TaskGroup tasks=2 entered>");
    bool interrupted = false;
    try {
      co_await taskio::sleep(10s);
    } catch (const cancelled_error&) {
      interrupted = true;
    }
    BOOST_TEST(interrupted);
    BOOST_TEST(g.repr() == "<TaskGroup tasks=1 errors=1 cancelling>");
  }));
  BOOST_TEST(members(e) == "x");
  BOOST_TEST(tg.repr() == "<TaskGroup cancelling>");
}

TASKIO_TEST_CASE(a_group_is_movable_before_it_is_entered) {
  taskio::task_group a;
  taskio::task_group b(std::move(a));
  taskio::task_group c;
  c = std::move(b);
  BOOST_TEST(a.repr() == "<TaskGroup moved-from>");
  BOOST_CHECK_THROW(a.create_task(forever()), std::logic_error);
  co_await taskio::async_with(c, [](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(taskio::sleep(1s));
    co_return;
  });
  BOOST_TEST(vt() == 1s);
}

BOOST_AUTO_TEST_CASE(a_group_can_be_made_outside_any_loop) {
  taskio::task_group tg;  // no loop runs here: it binds to its parent on entry
  BOOST_TEST(tg.repr() == "<TaskGroup>");
  int v = 0;
  run_virtual([](taskio::task_group& tg, int& v) -> asio::awaitable<void> {
    co_await taskio::async_with(tg, [&](taskio::task_group& g) -> asio::awaitable<void> {
      auto t = g.create_task(value_after(1s, 5));
      v = co_await t.async_wait();
    });
  }(tg, v));
  BOOST_TEST(v == 5);
}

// --- misuse ---

TASKIO_TEST_CASE(entering_twice_is_an_error) {
  taskio::task_group tg;
  co_await taskio::async_with(tg, [](taskio::task_group& g) -> asio::awaitable<void> {
    auto e = co_await catch_exception(
        taskio::async_with(g, [](taskio::task_group&) -> asio::awaitable<void> { co_return; }));
    BOOST_TEST(runtime_error_text(e) == "TaskGroup <TaskGroup entered> has already been entered");
  });
  // single use: also after it finished
  auto e = co_await catch_exception(taskio::async_with(tg, [](taskio::task_group&) -> asio::awaitable<void> { co_return; }));
  BOOST_TEST(runtime_error_text(e).find("has already been entered") != std::string::npos);
}

TASKIO_TEST_CASE(entering_outside_a_task_cannot_determine_the_parent) {
  taskio::task_group tg;
  auto& io = loop_context(co_await asio::this_coro::executor);
  std::exception_ptr error;
  bool finished = false;
  // a plain Asio coroutine started from a loop callback: no current task
  taskio::call_soon([&] {
    asio::co_spawn(io, tg.aenter(), [&](std::exception_ptr e) {
      error = e;
      finished = true;
    });
  });
  co_await taskio::sleep(1ms);
  BOOST_REQUIRE(finished);
  BOOST_TEST(runtime_error_text(error) == "TaskGroup <TaskGroup> cannot determine the parent task (it should be used inside a task)");
  check_refused(tg, "has not been entered");  // it stayed unentered
}

TASKIO_TEST_CASE(create_task_before_entering_is_refused) {
  taskio::task_group tg;
  check_refused(tg, "TaskGroup <TaskGroup> has not been entered");
  co_return;
}

TASKIO_TEST_CASE(create_task_after_the_exit_is_refused) {
  taskio::task_group tg;
  co_await taskio::async_with(tg, [](taskio::task_group& g) -> asio::awaitable<void> {
    g.create_task(taskio::sleep(1s));
    co_return;
  });
  check_refused(tg, "TaskGroup <TaskGroup entered> is finished");
}

/// Waits for `d`; when cancelled, checks that `tg` refuses new children
/// with `phrase`, sets `checked` and rethrows.
asio::awaitable<void> refuses_when_cancelled(taskio::task_group& tg, std::chrono::nanoseconds d, std::string phrase,
                                             bool& checked) {
  try {
    co_await taskio::sleep(d);
  } catch (const cancelled_error&) {
    check_refused(tg, phrase);
    checked = true;
    throw;
  }
}

TASKIO_TEST_CASE(create_task_while_aborting_is_refused) {
  bool checked_in_child = false, checked_in_body = false;
  auto e = co_await catch_exception(taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(fail_after(1ms, "boom"));
    tg.create_task(refuses_when_cancelled(tg, 1s, "is shutting down", checked_in_child));
    co_await refuses_when_cancelled(tg, 10s, "TaskGroup <TaskGroup tasks=1 errors=1 cancelling> is shutting down",
                                    checked_in_body);
  }));
  BOOST_TEST(members(e) == "boom");
  BOOST_TEST(checked_in_body);
  BOOST_TEST(checked_in_child);
}

TASKIO_TEST_CASE(exiting_a_group_not_entered_or_exited_twice_is_an_error) {
  taskio::task_group tg;
  auto e = co_await catch_exception(tg.aexit(nullptr));
  BOOST_TEST(runtime_error_text(e) == "TaskGroup <TaskGroup> has not been entered");
  co_await tg.aenter();
  BOOST_TEST(!co_await tg.aexit(nullptr));
  e = co_await catch_exception(tg.aexit(nullptr));
  BOOST_TEST(runtime_error_text(e) == "TaskGroup <TaskGroup entered> has already been exited");
}

TASKIO_TEST_CASE(exiting_from_another_task_is_an_error) {
  taskio::task_group tg;
  co_await tg.aenter();
  auto other = taskio::create_task(tg.aexit(nullptr));
  auto e = co_await catch_exception(other.async_wait());
  BOOST_TEST(runtime_error_text(e).find("must be exited by the task that entered it") != std::string::npos);
  BOOST_TEST(!co_await tg.aexit(nullptr));  // the right task still can
}

TASKIO_TEST_CASE(a_moved_from_group_cannot_be_used) {
  taskio::task_group a;
  taskio::task_group b(std::move(a));
  auto e = co_await catch_exception(a.aenter());
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::logic_error);
  e = co_await catch_exception(a.aexit(nullptr));
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::logic_error);
}

// --- handling the group ---

TASKIO_TEST_CASE(except_star_handles_the_members_by_type) {
  int runtime_errors = 0;
  std::string other;
  try {
    co_await taskio::async_with(taskio::task_group{}, [](taskio::task_group& tg) -> asio::awaitable<void> {
      tg.create_task(fail_after(1s, "r1"));
      tg.create_task(fail_after(1s, "r2"));
      tg.create_task([]() -> asio::awaitable<void> {
        co_await taskio::sleep(1s);
        throw std::invalid_argument("bad");
      }());
      co_return;
    });
  } catch (...) {
    try {
      taskio::except_star(std::current_exception(), [&](const std::runtime_error&) { ++runtime_errors; });
    } catch (const taskio::exception_group& rest) {
      other = members(std::make_exception_ptr(rest));
    }
  }
  BOOST_TEST(runtime_errors == 2);
  BOOST_TEST(other == "bad");
}

BOOST_AUTO_TEST_SUITE_END()
