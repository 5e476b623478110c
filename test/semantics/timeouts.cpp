// asyncio-parity: the consequences of the timeout rules (doc/semantics.md 6.7, timeout consequences),
// in virtual time with exact times and cancellation counts, including the
// races of two requests landing in the same loop iteration, and timeouts
// around raw Asio operations.
#include <taskio/timeout.hpp>

#include "../timeout_support.hpp"

#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>

using namespace taskio_test;
using taskio::cancelled_error;
using taskio::timeout_scope;

BOOST_AUTO_TEST_SUITE(timeouts)

// --- a deadline at or before "now" ------------------------------------------

TASKIO_TEST_CASE(past_deadline_expires_at_the_first_suspension) {
  co_await taskio::sleep(5s);
  for (int i = 0; i < 2; ++i) {
    auto scope = i == 0 ? taskio::timeout(0s) : taskio::timeout_at(taskio::loop_time() - 3s);
    auto e = co_await catch_exception(taskio::async_with(scope, [](timeout_scope&) -> asio::awaitable<void> {
      co_await taskio::sleep(1h);
    }));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(vt() == 5s);
    BOOST_TEST(count() == 0);
  }
}

TASKIO_TEST_CASE(past_deadline_without_suspension_is_no_error) {
  auto scope = taskio::timeout(0s);
  int v = co_await taskio::async_with(scope, [](timeout_scope&) -> asio::awaitable<int> { co_return 4; });
  BOOST_TEST(v == 4);
  BOOST_TEST(!scope.expired());
  co_await taskio::sleep(1s);  // the disarmed handler cancels nothing later
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(count() == 0);
}

// --- the block and the deadline ---------------------------------------------

TASKIO_TEST_CASE(body_that_swallows_the_cancellation_gets_no_error) {
  auto scope = taskio::timeout(1s);
  int v = co_await taskio::async_with(scope, [](timeout_scope&) -> asio::awaitable<int> {
    try {
      co_await taskio::sleep(1h);
    } catch (const cancelled_error&) {
    }
    co_await taskio::sleep(1s);  // one delivery per request: this sleep runs
    co_return 9;
  });
  BOOST_TEST(v == 9);
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(scope.expired());
  BOOST_TEST(count() == 0);
}

TASKIO_TEST_CASE(result_ready_in_the_deadline_iteration_is_lost) {
  // The child's result and the deadline land in the same iteration, in
  // both orders: the task resumes with cancelled_error, the scope raises
  // timeout_error.
  for (bool child_timer_first : {true, false}) {
    auto scope = taskio::timeout(std::nullopt);
    taskio::task<int> child;
    if (child_timer_first) {
      child = taskio::create_task(value_after(1s, 7));
      co_await taskio::sleep(0s);  // the child arms its timer first
    }
    const auto start = taskio::loop_time();
    auto e = co_await catch_exception(taskio::async_with(scope, [&](timeout_scope& cm) -> asio::awaitable<int> {
      cm.reschedule(start + 1s);
      if (!child_timer_first) child = taskio::create_task(value_after(1s, 7));
      co_return co_await child.async_wait();
    }));
    BOOST_TEST(is_timeout(e));
    BOOST_TEST(taskio::loop_time() - start == 1s);
    BOOST_TEST(count() == 0);
    co_await catch_exception(child.async_wait());
    // The child finished with 7 before the cancel, or was cancelled with
    // its wake-up already pending: either way the awaiter never sees 7.
    BOOST_TEST(child.done());
    BOOST_TEST(child.cancelled() == !child_timer_first);
  }
}

TASKIO_TEST_CASE(body_exception_while_expired_propagates_unchanged) {
  // 3.13+: the block turns the cancellation into another error X: X wins.
  auto scope = taskio::timeout(1s);
  auto e = co_await catch_exception(taskio::async_with(scope, [](timeout_scope&) -> asio::awaitable<void> {
    try {
      co_await taskio::sleep(1h);
    } catch (const cancelled_error&) {
      throw std::domain_error("cleanup failed");
    }
  }));
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::domain_error);
  BOOST_TEST(!is_timeout(e));
  BOOST_TEST(scope.expired());
  BOOST_TEST(count() == 0);
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(cancel_inside_the_block_propagates) {
  auto scope = taskio::timeout(10s);
  auto e = co_await catch_exception(taskio::async_with(scope, [](timeout_scope&) -> asio::awaitable<void> {
    co_await taskio::sleep(1s);
    taskio::current_task().cancel("self");
    co_await taskio::sleep(1h);
  }));
  BOOST_TEST(cancel_message(e) == "self");
  BOOST_TEST(!scope.expired());
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(count() == 1);
  taskio::current_task().uncancel();
}

TASKIO_TEST_CASE(external_cancel_while_inside_propagates) {
  auto t = taskio::create_task([]() -> asio::awaitable<void> {
    co_await taskio::async_with(taskio::timeout(10s), [](timeout_scope&) -> asio::awaitable<void> {
      co_await taskio::sleep(1h);
    });
  }());
  co_await taskio::sleep(1s);
  t.cancel("external");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(cancel_message(e) == "external");
  BOOST_TEST(t.cancelled());
  BOOST_TEST(t.cancelling() == 1);
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(external_cancel_and_deadline_in_the_same_iteration) {
  // count 2 -> the scope withdraws its own request (1 > baseline 0) and lets
  // the external cancellation through; the task ends cancelled, count 1.
  for (bool external_first : {true, false}) {
    auto scope = std::make_shared<timeout_scope>(std::nullopt);
    const auto deadline = taskio::loop_time() + 1s;
    auto t = taskio::create_task([](std::shared_ptr<timeout_scope> scope, taskio::clock::time_point d) -> asio::awaitable<void> {
      co_await taskio::async_with(*scope, [d](timeout_scope& cm) -> asio::awaitable<void> {
        cm.reschedule(d);
        co_await taskio::sleep(1h);
      });
    }(scope, deadline));
    if (!external_first) co_await taskio::sleep(0s);  // the scope arms its timer first
    taskio::call_at(deadline, [t] { t.cancel("external"); });
    auto e = co_await catch_exception(t.async_wait());
    BOOST_TEST(is_cancelled(e));
    BOOST_TEST(cancel_message(e) == (external_first ? "external" : ""));  // the first request's error
    BOOST_TEST(scope->expired());
    BOOST_TEST(t.cancelled());
    BOOST_TEST(t.cancelling() == 1);
    BOOST_TEST(taskio::loop_time() == deadline);
  }
}

TASKIO_TEST_CASE(stale_count_at_entry_is_the_baseline) {
  // gh-102780: a cancellation swallowed earlier without uncancel() leaves
  // the count at 1; the scope compares with the count at entry.
  taskio::current_task().cancel();
  try {
    co_await taskio::sleep(1s);
  } catch (const cancelled_error&) {
  }
  BOOST_TEST(count() == 1);
  auto scope = taskio::timeout(1s);
  auto e = co_await catch_exception(taskio::async_with(scope, [](timeout_scope&) -> asio::awaitable<void> {
    co_await taskio::sleep(1h);
  }));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(count() == 1);  // the stale request stays counted
  taskio::current_task().uncancel();
}

// --- nested scopes -------------------------------------------------------------

TASKIO_TEST_CASE(nested_inner_fires_first) {
  auto outer = taskio::timeout(10s);
  auto inner = taskio::timeout(1s);
  std::exception_ptr inner_error;
  co_await taskio::async_with(outer, [&](timeout_scope&) -> asio::awaitable<void> {
    inner_error = co_await catch_exception(taskio::async_with(inner, [](timeout_scope&) -> asio::awaitable<void> {
      co_await taskio::sleep(1h);
    }));
    BOOST_TEST(count() == 0);
    co_await taskio::sleep(2s);  // the outer scope is unaffected
  });
  BOOST_TEST(is_timeout(inner_error));
  BOOST_TEST(inner.expired());
  BOOST_TEST(!outer.expired());
  BOOST_TEST(vt() == 3s);
  BOOST_TEST(count() == 0);
}

namespace {

/// Runs `outer { inner { sleep(busy work `busy`, then 1h) } }`; the outer
/// block rethrows what escapes the inner scope. Records that, the count seen
/// by the body when the cancellation arrived, and the time it arrived.
struct nested_run {
  std::exception_ptr inner_error, outer_error;
  int count_inside = -1;
  taskio::clock::duration at{};
};

asio::awaitable<nested_run> run_nested(timeout_scope& outer, timeout_scope& inner,
                                       std::chrono::nanoseconds busy = {}) {
  nested_run r;
  r.outer_error = co_await catch_exception(taskio::async_with(outer, [&](timeout_scope&) -> asio::awaitable<void> {
    r.inner_error = co_await catch_exception(taskio::async_with(inner, [&](timeout_scope&) -> asio::awaitable<void> {
      if (busy > busy.zero()) taskio::advance_time(busy);  // busy work, no yield
      try {
        co_await taskio::sleep(1h);
      } catch (const cancelled_error&) {
        r.count_inside = count();
        r.at = vt();
        throw;
      }
    }));
    if (r.inner_error) std::rethrow_exception(r.inner_error);
  }));
  co_return r;
}

}  // namespace

TASKIO_TEST_CASE(nested_outer_fires_first) {
  auto outer = taskio::timeout(1s);
  auto inner = taskio::timeout(10s);
  auto r = co_await run_nested(outer, inner);
  BOOST_TEST(r.count_inside == 1);
  BOOST_TEST(is_cancelled(r.inner_error));  // the inner scope lets it through
  BOOST_TEST(inner.repr() == "<Timeout [finished]>");
  BOOST_TEST(!inner.expired());
  BOOST_TEST(is_timeout(r.outer_error));
  BOOST_TEST(outer.expired());
  BOOST_TEST(r.at == 1s);
  BOOST_TEST(count() == 0);
}

TASKIO_TEST_CASE(nested_both_fire_in_the_same_iteration) {
  // Same deadline: both handlers run before the task resumes; count 2, one
  // delivery. Inner: uncancel -> 1 > 0, cancelled_error goes through; outer:
  // uncancel -> 0, timeout_error. The outermost expired scope wins.
  auto outer = taskio::timeout(1s);
  auto inner = taskio::timeout(1s);
  auto r = co_await run_nested(outer, inner);
  BOOST_TEST(r.count_inside == 2);
  BOOST_TEST(is_cancelled(r.inner_error));
  BOOST_TEST(inner.expired());
  BOOST_TEST(outer.expired());
  BOOST_TEST(is_timeout(r.outer_error));
  BOOST_TEST(r.at == 1s);
  BOOST_TEST(count() == 0);
}

TASKIO_TEST_CASE(nested_both_pass_while_the_task_is_busy) {
  // The task was busy past both deadlines (1 s and 2 s): both fire in the
  // next iteration, in deadline order; the same outcome as a tie.
  auto outer = taskio::timeout(2s);
  auto inner = taskio::timeout(1s);
  auto r = co_await run_nested(outer, inner, 3s);
  BOOST_TEST(r.count_inside == 2);
  BOOST_TEST(is_cancelled(r.inner_error));
  BOOST_TEST(inner.expired());
  BOOST_TEST(outer.expired());
  BOOST_TEST(is_timeout(r.outer_error));
  BOOST_TEST(r.at == 3s);
  BOOST_TEST(count() == 0);
}

// --- raw Asio operations ---------------------------------------------------------

TASKIO_TEST_CASE(deadline_aborts_raw_asio_operations) {
  // A steady_timer and a socket read awaited with plain use_awaitable: the
  // deadline aborts them (operation_aborted, recognised by is_cancellation)
  // and the scope raises timeout_error with a cancelled_error nested.
  auto ex = co_await asio::this_coro::executor;
  bool timer_aborted = false;
  auto e = co_await catch_exception(taskio::async_with(taskio::timeout(1s), [&](timeout_scope&) -> asio::awaitable<void> {
    asio::steady_timer timer(ex, 10h);
    try {
      co_await timer.async_wait(asio::use_awaitable);
    } catch (const boost::system::system_error& err) {
      timer_aborted = err.code() == asio::error::operation_aborted &&
                      taskio::is_cancellation(std::current_exception());
      throw;
    }
  }));
  BOOST_TEST(timer_aborted);
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(count() == 0);

  asio::local::stream_protocol::socket a(ex), b(ex);
  asio::local::connect_pair(a, b);
  char buf[16];
  e = co_await catch_exception(taskio::async_with(taskio::timeout(2s), [&](timeout_scope&) -> asio::awaitable<void> {
    co_await a.async_read_some(asio::buffer(buf), asio::use_awaitable);
  }));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 3s);
  BOOST_TEST(count() == 0);

  // Neither abort left a request behind: the socket still reads normally.
  co_await asio::async_write(b, asio::buffer("hi", 2), asio::use_awaitable);
  std::size_t n = co_await a.async_read_some(asio::buffer(buf), asio::use_awaitable);
  BOOST_TEST(std::string(buf, n) == "hi");

  // With a stale count (baseline 1) the abort is still converted.
  taskio::current_task().cancel();
  co_await catch_exception(taskio::sleep(0s));
  e = co_await catch_exception(taskio::async_with(taskio::timeout(1s), [&](timeout_scope&) -> asio::awaitable<void> {
    co_await a.async_read_some(asio::buffer(buf), asio::use_awaitable);
  }));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 4s);
  BOOST_TEST(count() == 1);
  taskio::current_task().uncancel();
}

BOOST_AUTO_TEST_SUITE_END()
