// Unit tests of task_group::cancel() (<taskio/task_group.hpp>): asyncio
// 3.15's TaskGroup.cancel(), ported from CPython's
// Lib/test/test_asyncio/test_taskgroups.py (test_taskgroup_cancel_*), with
// gh-155433 (an outside cancellation after tg.cancel() propagates).
#include <taskio/task_group.hpp>  // first: the header is self-contained

#include "../task_group_support.hpp"

#include <algorithm>

using namespace taskio_test;
using namespace taskio_test::groups;

namespace {

asio::awaitable<void> sleep_record(std::chrono::nanoseconds d, trace& tr, std::string name) {
  try {
    co_await taskio::sleep(d);
    tr(name + ":done");
  } catch (const taskio::cancelled_error&) {
    tr(name + ":cancelled");
    throw;
  }
}

/// A child that cancels its own group after `d`.
asio::awaitable<void> cancel_group_after(taskio::task_group& tg, std::chrono::nanoseconds d) {
  co_await taskio::sleep(d);
  tg.cancel();
  co_await taskio::sleep(1h);  // cancelled too: the group cancels every unfinished child
}

/// The body of a group entered by another task.
asio::awaitable<void> enter_and_sleep(taskio::task_group& tg, trace& tr) {
  co_await taskio::async_with(tg, [&](taskio::task_group&) -> asio::awaitable<void> {
    tr("entered");
    co_await sleep_record(1h, tr, "body");
  });
  tr("exited");
}

asio::awaitable<void> body_cancels_then_waits(taskio::task_group& tg, trace& tr) {
  tg.create_task(sleep_record(1h, tr, "child"));
  co_await taskio::sleep(1s);
  tg.cancel();
  co_await sleep_record(1h, tr, "body");
}

/// The events in alphabetical order (for cancellations delivered in one iteration).
std::string sorted(trace tr) {
  std::sort(tr.events.begin(), tr.events.end());
  return tr.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(task_group_cancel)

// test_taskgroup_cancel_children / test_taskgroup_cancel_body
TASKIO_TEST_CASE(cancel_stops_the_body_and_every_child_and_exits_normally) {
  trace tr;
  taskio::task_group tg;
  co_await taskio::async_with(tg, [&](taskio::task_group& g) -> asio::awaitable<void> {
    return body_cancels_then_waits(g, tr);
  });
  BOOST_TEST(sorted(tr) == "body:cancelled child:cancelled");
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(cancelling() == 0);  // the group took its request back
  co_await taskio::sleep(1s);      // and nothing is left pending
}

// test_taskgroup_cancel_from_child (a child calls tg.cancel())
TASKIO_TEST_CASE(a_child_can_cancel_its_group) {
  trace tr;
  taskio::task<void> canceller;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(sleep_record(1h, tr, "other"));
    canceller = tg.create_task(cancel_group_after(tg, 2s));
    co_await sleep_record(1h, tr, "body");
  });
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(canceller.cancelled());
  BOOST_TEST(sorted(tr) == "body:cancelled other:cancelled");
  BOOST_TEST(cancelling() == 0);
}

// test_taskgroup_cancel_idempotent
TASKIO_TEST_CASE(cancel_is_idempotent) {
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(forever());
    tg.cancel();
    tg.cancel();
    BOOST_TEST(taskio::current_task().cancelling() == 1);  // the body is cancelled once
    co_await taskio::sleep(1h);
  });
  BOOST_TEST(cancelling() == 0);
  BOOST_TEST(vt() == 0s);
}

// test_taskgroup_cancel_after_exit
TASKIO_TEST_CASE(cancel_after_exit_does_nothing) {
  taskio::task_group tg;
  co_await taskio::async_with(tg, [&](taskio::task_group&) -> asio::awaitable<void> { co_return; });
  tg.cancel();
  BOOST_TEST(cancelling() == 0);
  co_await taskio::sleep(1s);  // no cancellation pending
}

// test_taskgroup_cancel_before_enter: the body is cancelled at entry
TASKIO_TEST_CASE(cancel_before_entry_cancels_the_body_at_entry) {
  trace tr;
  taskio::task_group tg;
  tg.cancel();
  auto t = taskio::create_task(enter_and_sleep(tg, tr));
  co_await t.async_wait();
  BOOST_TEST(tr.str() == "entered body:cancelled exited");
  BOOST_TEST(vt() == 0s);
}

// test_taskgroup_cancel_before_create_task: create_task after cancel() refuses
TASKIO_TEST_CASE(create_task_after_cancel_throws_and_never_runs_the_coroutine) {
  trace tr;
  std::string error;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.cancel();
    try {
      tg.create_task(sleep_record(1s, tr, "late"));
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
    co_return;
  });
  BOOST_TEST(error.find("is shutting down") != std::string::npos, error);
  co_await taskio::sleep(2s);
  BOOST_TEST(tr.str() == "");
}

// test_taskgroup_cancel_after_exception / before_exception: child errors still raise
TASKIO_TEST_CASE(children_failing_while_cancelled_still_raise_the_group) {
  std::exception_ptr e = co_await catch_exception(
      taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
        tg.create_task(fail_when_cancelled("cleanup failed"));
        co_await taskio::sleep(1s);
        tg.cancel();
        co_await taskio::sleep(1h);
      }));
  BOOST_TEST(members(e) == "cleanup failed");
  BOOST_TEST(cancelling() == 0);
}

// gh-155433: an outside cancellation that reaches the exit after tg.cancel() propagates
TASKIO_TEST_CASE(outside_cancel_after_group_cancel_propagates) {
  trace tr;
  auto outer = taskio::create_task(
      taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
        tg.create_task(slow_to_cancel(5s));  // the exit waits 5 s for it
        co_await taskio::sleep(0s);           // the child starts
        tg.cancel();
        co_return;  // the body ends before the group's request is delivered
      }));
  co_await taskio::sleep(1s);  // outer waits in the exit, aborting
  outer.cancel("from outside");
  auto e = co_await catch_exception(outer.async_wait());
  BOOST_TEST(outer.cancelled());
  BOOST_TEST(cancel_message(e) == "from outside");
  BOOST_TEST(vt() == 5s);
}

// gh-155433 with a timeout: the enclosing timeout still raises timeout_error
TASKIO_TEST_CASE(outer_timeout_after_group_cancel_raises_timeout_error) {
  auto e = co_await catch_exception(taskio::async_with(taskio::timeout(2s), [&](taskio::timeout_scope&) -> asio::awaitable<void> {
    co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
      tg.create_task(slow_to_cancel(5s));
      co_await taskio::sleep(1s);
      tg.cancel();
      co_await taskio::sleep(1h);
    });
  }));
  bool timed_out = false;
  try {
    std::rethrow_exception(e);
  } catch (const taskio::timeout_error&) {
    timed_out = true;
  } catch (...) {
  }
  BOOST_TEST(timed_out, taskio::describe_exception(e));
  BOOST_TEST(vt() == 6s);  // the child's 5 s cleanup from 1 s
  BOOST_TEST(cancelling() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
