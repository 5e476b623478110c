// Unit tests of <taskio/task.hpp>: the Future/Task API of a task and the
// cancellation rules of doc/semantics.md 3.3-3.7 (Task cancellation).
#include <taskio/task.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <memory>
#include <optional>
#include <sstream>

using namespace taskio_test;
using taskio::cancelled_error;

namespace {

/// A class derived from task_ref: the handle's kernel state is out of its
/// reach too (detail/access.hpp is the only way in).
struct derived_ref : taskio::task_ref {
  template <class U = derived_ref>
  static constexpr bool reaches_state = requires(const U& u) { u.state(); };
};

}  // namespace

BOOST_AUTO_TEST_SUITE(task)

BOOST_AUTO_TEST_CASE(a_class_derived_from_task_ref_cannot_reach_its_state) {
  BOOST_TEST(!derived_ref::reaches_state<>);
}

TASKIO_TEST_CASE(create_task_schedules_the_first_step) {
  trace tr;
  auto t = taskio::create_task([](trace& tr) -> asio::awaitable<void> {
    tr("child");
    co_return;
  }(tr));
  tr("creator continues");
  BOOST_TEST(!t.done());
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "creator continues child");
  BOOST_TEST(t.done());
}

TASKIO_TEST_CASE(result_and_states) {
  auto t = taskio::create_task(value_after(1s, 7));
  BOOST_TEST(!t.done());
  BOOST_TEST(!t.cancelled());
  BOOST_CHECK_THROW(t.result(), taskio::invalid_state_error);
  BOOST_CHECK_THROW(t.exception(), taskio::invalid_state_error);
  BOOST_TEST(co_await t.async_wait() == 7);
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(t.done());
  BOOST_TEST(t.result() == 7);
  BOOST_TEST(!t.exception());
}

TASKIO_TEST_CASE(failed_task_rethrows_its_exception) {
  auto t = taskio::create_task([]() -> asio::awaitable<int> {
    throw std::runtime_error("boom");
    co_return 0;
  }());
  auto e = co_await catch_exception(t.async_wait());
  BOOST_REQUIRE(e);
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::runtime_error);
  BOOST_CHECK_THROW(t.result(), std::runtime_error);
  BOOST_TEST(t.exception() == e);  // the same exception object every time
  BOOST_TEST(!t.cancelled());
}

TASKIO_TEST_CASE(names_default_to_task_n_and_can_be_changed) {
  auto a = taskio::create_task(forever());
  auto b = taskio::create_task(forever());
  auto c = taskio::create_task(forever(), "conn-1");
  const auto na = a.get_name(), nb = b.get_name();
  BOOST_TEST(na.rfind("Task-", 0) == 0);
  BOOST_TEST(std::stoull(nb.substr(5)) > std::stoull(na.substr(5)));
  BOOST_TEST(c.get_name() == "conn-1");
  c.set_name("renamed");
  BOOST_TEST(c.get_name() == "renamed");
  BOOST_TEST(c.repr() == "<Task pending name='renamed'>");
  a.cancel();
  b.cancel();
  c.cancel();
  co_await taskio::sleep(0s);
}

TASKIO_TEST_CASE(cancel_before_first_step_runs_no_line_of_the_body) {
  bool ran = false;
  auto t = taskio::create_task([](bool& ran) -> asio::awaitable<void> {
    ran = true;
    co_return;
  }(ran));
  BOOST_TEST(t.cancel("m1"));
  BOOST_TEST(t.cancel("m2"));
  BOOST_TEST(t.cancelling() == 2);
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(!ran);
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "m2");
  BOOST_TEST(t.cancelling() == 2);  // never decremented by delivery
}

TASKIO_TEST_CASE(cancel_while_sleeping_delivers_the_message_on_every_retrieval) {
  auto t = taskio::create_task(forever());
  co_await taskio::sleep(1s);
  BOOST_TEST(t.cancel("shutdown"));
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "shutdown");
  for (int i = 0; i < 2; ++i) {
    try {
      t.result();
      BOOST_FAIL("result() of a cancelled task must throw");
    } catch (const cancelled_error& c) {
      BOOST_TEST(c.message() == "shutdown");
      BOOST_TEST(std::string(c.what()) == "cancelled: shutdown");
    }
    BOOST_CHECK_THROW(t.exception(), cancelled_error);
  }
  BOOST_TEST(!t.cancel("again"));  // done: false, count unchanged
  BOOST_TEST(t.cancelling() == 1);
}

TASKIO_TEST_CASE(two_requests_are_delivered_as_one_error) {
  int deliveries = 0;
  auto t = taskio::create_task([](int& deliveries) -> asio::awaitable<int> {
    try {
      co_await taskio::sleep(10s);
    } catch (const cancelled_error& e) {
      ++deliveries;
      BOOST_TEST(e.message() == "first");
    }
    co_await taskio::sleep(1s);  // later awaits run normally (cleanup works)
    co_return 5;
  }(deliveries));
  co_await taskio::sleep(1s);
  BOOST_TEST(t.cancel("first"));
  BOOST_TEST(t.cancel("second"));
  BOOST_TEST(co_await t.async_wait() == 5);
  BOOST_TEST(deliveries == 1);
  BOOST_TEST(t.cancelling() == 2);
  BOOST_TEST(!t.cancelled());
  BOOST_TEST(vt() == 2s);
}

TASKIO_TEST_CASE(self_cancel_is_delivered_at_the_next_suspension) {
  trace tr;
  auto t = taskio::create_task([](trace& tr) -> asio::awaitable<void> {
    taskio::current_task().cancel("self");
    tr("still running");
    try {
      co_await taskio::sleep(5s);
      tr("slept");
    } catch (const cancelled_error& e) {
      tr("cancelled:" + e.message());
      throw;
    }
  }(tr));
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(tr.str() == "still running cancelled:self");
  BOOST_TEST(t.cancelled());
  BOOST_TEST(vt() == 0s);
}

TASKIO_TEST_CASE(self_cancel_then_return_ends_cancelled) {
  auto t = taskio::create_task([]() -> asio::awaitable<int> {
    taskio::current_task().cancel("late");
    co_return 1;
  }());
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "late");
}

TASKIO_TEST_CASE(self_cancel_is_delivered_by_a_bare_yield) {
  auto t = taskio::create_task([]() -> asio::awaitable<void> {
    taskio::current_task().cancel();
    co_await taskio::sleep(0s);
    BOOST_FAIL("the yield must raise");
  }());
  co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
}

TASKIO_TEST_CASE(cancel_with_a_wake_up_pending_replaces_the_result) {
  taskio::future<int> f;
  auto t = taskio::create_task([](taskio::future<int> f) -> asio::awaitable<int> {
    co_return co_await f.async_wait();
  }(f));
  co_await taskio::sleep(0s);  // t now waits on f
  f.set_result(42);            // t's wake-up is queued ...
  BOOST_TEST(t.cancel("instead"));  // ... and cancelled in the same step
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "instead");
}

TASKIO_TEST_CASE(awaiting_a_task_forwards_the_cancel_to_it) {
  auto inner = taskio::create_task(forever(), "inner");
  auto outer = taskio::create_task([](taskio::task<void> inner) -> asio::awaitable<void> {
    co_await inner.async_wait();
  }(inner));
  co_await taskio::sleep(1s);
  BOOST_TEST(outer.cancel("from outside"));
  BOOST_TEST(inner.cancelling() == 1);
  auto e = co_await catch_exception(outer.async_wait());
  BOOST_TEST(inner.cancelled());
  BOOST_TEST(outer.cancelled());
  BOOST_TEST(cancel_message(e) == "from outside");
  try {
    inner.result();
  } catch (const cancelled_error& c) {
    BOOST_TEST(c.message() == "from outside");  // the message travelled through the await
  }
}

TASKIO_TEST_CASE(awaiter_is_not_cancelled_when_the_awaited_task_swallows_it) {
  auto inner = taskio::create_task([]() -> asio::awaitable<int> {
    try {
      co_await taskio::sleep(10s);
    } catch (const cancelled_error&) {
      taskio::current_task().uncancel();
    }
    co_return 9;
  }());
  auto outer = taskio::create_task([](taskio::task<int> inner) -> asio::awaitable<int> {
    co_return co_await inner.async_wait();
  }(inner));
  co_await taskio::sleep(1s);
  outer.cancel();
  BOOST_TEST(co_await outer.async_wait() == 9);
  BOOST_TEST(!outer.cancelled());
  BOOST_TEST(outer.cancelling() == 1);
}

TASKIO_TEST_CASE(cancel_before_awaiting_a_task_cancels_it_when_awaited) {
  auto inner = taskio::create_task(value_after(10s, 1));
  auto outer = taskio::create_task([](taskio::task<int> inner) -> asio::awaitable<void> {
    taskio::current_task().cancel();
    co_await inner.async_wait();  // bpo-34872: cancels inner at once
  }(inner));
  co_await catch_exception(outer.async_wait());
  BOOST_TEST(inner.cancelled());
  BOOST_TEST(outer.cancelled());
  BOOST_TEST(vt() == 0s);
}

TASKIO_TEST_CASE(awaiting_a_done_task_is_not_a_delivery_point) {
  auto done_task = taskio::create_task(value_after(0s, 3));
  co_await taskio::sleep(1s);
  BOOST_REQUIRE(done_task.done());
  auto t = taskio::create_task([](taskio::task<int> d) -> asio::awaitable<int> {
    taskio::current_task().cancel("pending");
    int v = co_await d.async_wait();  // already done: returns its value
    co_await taskio::sleep(1s);       // the request lands here
    co_return v;
  }(done_task));
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "pending");
}

TASKIO_TEST_CASE(uncancel_counts_down_and_rescinds_an_undelivered_request) {
  bool ran = false;
  auto t = taskio::create_task([](bool& ran) -> asio::awaitable<void> {
    ran = true;
    co_return;
  }(ran));
  t.cancel();
  BOOST_TEST(t.cancelling() == 1);
  BOOST_TEST(t.uncancel() == 0);  // 3.13+: withdraws the pending request
  BOOST_TEST(t.uncancel() == 0);  // floor 0
  co_await t.async_wait();
  BOOST_TEST(ran);
  BOOST_TEST(!t.cancelled());
}

TASKIO_TEST_CASE(uncancel_above_zero_keeps_the_request) {
  auto t = taskio::create_task(forever());
  t.cancel();
  t.cancel();
  BOOST_TEST(t.uncancel() == 1);
  co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
}

TASKIO_TEST_CASE(done_callbacks_may_be_move_only) {
  auto t = taskio::create_task(value_after(1s, 4));
  int seen = 0;
  t.add_done_callback([p = std::make_unique<int>(10), &seen](const taskio::task<int>& d) { seen = *p + d.result(); });
  co_await t.async_wait();
  co_await taskio::sleep(0s);
  BOOST_TEST(seen == 14);
}

// The awaiter resumes inline and may run long before it suspends again: the
// awaited task (its state, its result) is released before it resumes.
TASKIO_TEST_CASE(awaiting_a_task_releases_it_before_resuming) {
  auto token = std::make_shared<int>(7);
  std::optional<taskio::task<std::shared_ptr<int>>> t(
      taskio::create_task([](std::shared_ptr<int> p) -> asio::awaitable<std::shared_ptr<int>> { co_return p; }(token)));
  auto wait = t->async_wait();
  t.reset();  // only the wait holds the task now
  const std::shared_ptr<int> v = co_await std::move(wait);
  BOOST_TEST(token.use_count() == 2);  // token and v
}

TASKIO_TEST_CASE(done_callbacks_run_through_the_loop_in_order) {
  trace tr;
  auto t = taskio::create_task(value_after(1s, 4));
  t.add_done_callback([&](const taskio::task<int>& d) { tr("first:" + std::to_string(d.result())); });
  auto id = t.add_done_callback([&](const taskio::task<int>&) { tr("removed"); });
  t.add_done_callback([&](const taskio::task_ref& d) { tr(std::string("third:") + (d.done() ? "done" : "?")); });
  BOOST_TEST(t.remove_done_callback(id) == 1u);
  BOOST_TEST(t.remove_done_callback(id) == 0u);
  co_await t.async_wait();
  tr("awaiter");
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "first:4 third:done awaiter");
  // on a done task: scheduled, never called synchronously
  t.add_done_callback([&](const taskio::task<int>&) { tr("late"); });
  tr("registered");
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "first:4 third:done awaiter registered late");
}

TASKIO_TEST_CASE(a_task_cannot_await_itself) {
  taskio::task<void> t;  // assigned before the task's first step
  t = taskio::create_task([&t]() -> asio::awaitable<void> { co_await t.async_wait(); });
  auto e = co_await catch_exception(t.async_wait());
  try {
    std::rethrow_exception(e);
  } catch (const std::runtime_error& r) {
    BOOST_TEST(std::string(r.what()).find("cannot await on itself") != std::string::npos);
  }
}

TASKIO_TEST_CASE(async_wait_accepts_any_completion_token) {
  auto t = taskio::create_task(value_after(1s, 11));
  int got = 0;
  t.async_wait([&](std::exception_ptr e, int v) {
    BOOST_TEST(!e);
    got = v;
  });
  auto [e, v] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  BOOST_TEST(!e);
  BOOST_TEST(v == 11);
  co_await taskio::sleep(0s);
  BOOST_TEST(got == 11);
}

TASKIO_TEST_CASE(stack_and_print_stack_use_the_three_header_forms) {
  auto pending = taskio::create_task(forever(), "p");
  BOOST_TEST(pending.get_stack().size() == 1u);
  BOOST_TEST(pending.get_stack(0).empty());
  std::ostringstream os;
  pending.print_stack(os);
  BOOST_TEST(os.str().rfind("Stack for <Task pending name='p'> (most recent call last):", 0) == 0);
  BOOST_TEST(os.str().find("unit/task.cpp") != std::string::npos);

  auto failed = taskio::create_task([]() -> asio::awaitable<void> {
    throw std::runtime_error("bad");
    co_return;
  }(), "f");
  co_await catch_exception(failed.async_wait());
  os.str("");
  failed.print_stack(os);
  BOOST_TEST(os.str().rfind("Traceback for <Task finished name='f' exception=bad> (most recent call last):", 0) == 0);
  BOOST_TEST(os.str().find("\nbad\n") != std::string::npos);

  pending.cancel();
  co_await catch_exception(pending.async_wait());
  BOOST_TEST(pending.get_stack().empty());
  os.str("");
  pending.print_stack(os);
  BOOST_TEST(os.str() == "No stack for <Task cancelled name='p'>\n");
}

TASKIO_TEST_CASE(empty_handle_is_a_clear_error) {
  taskio::task<int> t;
  BOOST_TEST(!t);
  BOOST_CHECK_THROW(t.done(), std::logic_error);
  BOOST_CHECK_THROW(t.cancel(), std::logic_error);
  co_return;
}

BOOST_AUTO_TEST_SUITE_END()
