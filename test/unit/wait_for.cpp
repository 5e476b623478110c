// Unit tests of <taskio/wait_for.hpp> (doc/semantics.md 7, wait_for): wait_for on tasks,
// futures and awaitables, with no, positive and zero timeouts.
#include <taskio/wait_for.hpp>  // first: the header is self-contained

#include "../timeout_support.hpp"

#include <limits>

using namespace taskio_test;
using taskio::cancelled_error;

namespace {

/// Sleeps for `d` and returns `v`; when cancelled, spends `cleanup` more,
/// then rethrows (a cancelled_error "cleaned up"), returns `v`, or throws
/// std::domain_error.
enum class on_cancel { rethrow, suppress, fail };
asio::awaitable<int> slow_to_cancel(std::chrono::nanoseconds d, std::chrono::nanoseconds cleanup, on_cancel how,
                                    int v = 0) {
  bool cancelled = false;
  try {
    co_await taskio::sleep(d);
  } catch (const cancelled_error&) {
    cancelled = true;
  }
  if (!cancelled) co_return v;
  co_await taskio::sleep(cleanup);
  if (how == on_cancel::rethrow) throw cancelled_error("cleaned up");
  if (how == on_cancel::fail) throw std::domain_error("failed while cancelled");
  co_return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wait_for)

// --- no timeout ------------------------------------------------------------------

TASKIO_TEST_CASE(no_timeout_is_a_plain_await) {
  auto t = taskio::create_task(value_after(10h, 1));
  BOOST_TEST(co_await taskio::wait_for(t, std::nullopt) == 1);
  BOOST_TEST(co_await taskio::wait_for(value_after(1h, 2), std::nullopt) == 2);
  BOOST_TEST(vt() == 11h);
}

// --- positive timeout ----------------------------------------------------------

TASKIO_TEST_CASE(work_finishing_in_time_returns_its_value) {
  auto t = taskio::create_task(value_after(1s, 5));
  BOOST_TEST(co_await taskio::wait_for(t, 2s) == 5);
  BOOST_TEST(vt() == 1s);
  co_await taskio::sleep(5s);  // the disarmed deadline cancels nothing later
  BOOST_TEST(count() == 0);
}

TASKIO_TEST_CASE(expiry_cancels_the_task_and_raises_timeout_error) {
  auto t = taskio::create_task(value_after(10s, 5));
  auto e = co_await catch_exception(taskio::wait_for(t, 1s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(t.cancelled());
  BOOST_TEST(t.cancelling() == 1);
  BOOST_TEST(count() == 0);  // balanced
}

TASKIO_TEST_CASE(an_awaitable_runs_inline_in_the_caller) {
  auto self = taskio::current_task();
  const auto tasks_before = taskio::all_tasks().size();
  bool inline_ = false;
  auto body = [](taskio::task_ref self, std::size_t before, bool& inline_) -> asio::awaitable<void> {
    inline_ = taskio::current_task() == self && taskio::all_tasks().size() == before;
    co_await taskio::sleep(1h);
  };
  auto e = co_await catch_exception(taskio::wait_for(body(self, tasks_before, inline_), 1s));
  BOOST_TEST(inline_);
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(count() == 0);
}

TASKIO_TEST_CASE(expiry_cancels_a_future) {
  taskio::future<int> f;
  auto e = co_await catch_exception(taskio::wait_for(f, 1s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(f.cancelled());
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(waits_until_the_task_is_really_cancelled) {
  // bpo-32751: the cancelled task takes 1 s to clean up; wait_for returns
  // only after it finished.
  auto t = taskio::create_task(slow_to_cancel(10s, 1s, on_cancel::rethrow));
  auto e = co_await catch_exception(taskio::wait_for(t, 1s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(t.done());
  BOOST_TEST(t.cancelled());
}

TASKIO_TEST_CASE(suppressed_cancellation_returns_the_value) {
  // gh-84849: the task swallows the cancellation and returns a value.
  auto t = taskio::create_task(slow_to_cancel(10s, 1s, on_cancel::suppress, 42));
  BOOST_TEST(co_await taskio::wait_for(t, 1s) == 42);
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(count() == 0);
}

TASKIO_TEST_CASE(another_error_during_cancellation_propagates) {
  auto t = taskio::create_task(slow_to_cancel(10s, 1s, on_cancel::fail));
  auto e = co_await catch_exception(taskio::wait_for(t, 1s));
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::domain_error);
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(count() == 0);
}

TASKIO_TEST_CASE(cancelling_the_caller_cancels_the_work_and_propagates) {
  auto inner = taskio::create_task(slow_to_cancel(10h, 1s, on_cancel::rethrow));
  auto caller = taskio::create_task(taskio::wait_for(inner, 10s));
  co_await taskio::sleep(1s);
  caller.cancel("stop");
  auto e = co_await catch_exception(caller.async_wait());
  BOOST_TEST(cancel_message(e) == "cleaned up");  // what the inner task raised
  BOOST_TEST(vt() == 2s);                         // after the inner cleanup
  BOOST_TEST(inner.cancelled());
  BOOST_TEST(caller.cancelled());
  BOOST_TEST(caller.cancelling() == 1);
}

TASKIO_TEST_CASE(outer_cancel_wins_over_a_result_of_the_same_iteration) {
  // gh-86296: the inner task finishes and the caller is cancelled in the
  // same iteration, before the caller resumed: cancelled_error, not 7.
  auto inner = taskio::create_task(value_after(1s, 7));
  co_await taskio::sleep(0s);  // the inner task arms its timer first
  auto caller = taskio::create_task(taskio::wait_for(inner, 10s));
  taskio::call_at(taskio::loop_time() + 1s, [caller] { caller.cancel("outer"); });
  auto e = co_await catch_exception(caller.async_wait());
  BOOST_TEST(cancel_message(e) == "outer");
  BOOST_TEST(inner.result() == 7);
  BOOST_TEST(caller.cancelling() == 1);
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(stale_count_is_kept_balanced) {
  taskio::current_task().cancel();
  co_await catch_exception(taskio::sleep(0s));
  BOOST_TEST(count() == 1);
  auto e = co_await catch_exception(taskio::wait_for(value_after(1h, 1), 1s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(count() == 1);
  taskio::current_task().uncancel();
}

TASKIO_TEST_CASE(void_results) {
  co_await taskio::wait_for(taskio::sleep(1s), 2s);
  auto e = co_await catch_exception(taskio::wait_for(taskio::sleep(1h), 2s));
  BOOST_TEST(is_timeout(e));
  taskio::future<void> f;
  taskio::call_later(1s, [f] { f.set_result(); });
  co_await taskio::wait_for(f, 2s);
  BOOST_TEST(vt() == 4s);
}

// --- zero timeout ----------------------------------------------------------------

TASKIO_TEST_CASE(zero_timeout_on_done_work_returns_its_outcome) {
  auto ok = taskio::create_task(value_after(0s, 3));
  auto failed = taskio::create_task([]() -> asio::awaitable<int> {
    throw std::domain_error("failed");
    co_return 0;
  }());
  auto cancelled = taskio::create_task(value_after(1h, 0));
  cancelled.cancel("gone");
  co_await taskio::sleep(1s);
  BOOST_TEST(co_await taskio::wait_for(ok, 0s) == 3);
  auto e = co_await catch_exception(taskio::wait_for(failed, 0s));
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::domain_error);
  e = co_await catch_exception(taskio::wait_for(cancelled, 0s));
  BOOST_TEST(cancel_message(e) == "gone");  // its own cancellation, not a timeout
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(zero_timeout_cancels_pending_work) {
  auto t = taskio::create_task(value_after(1h, 3));
  co_await taskio::sleep(1s);
  auto e = co_await catch_exception(taskio::wait_for(t, 0s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(t.cancelled());
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(count() == 0);

  taskio::future<int> f;
  e = co_await catch_exception(taskio::wait_for(f, 0s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(f.cancelled());
}

TASKIO_TEST_CASE(zero_timeout_never_starts_an_awaitable) {
  bool ran = false;
  auto e = co_await catch_exception(taskio::wait_for(
      [](bool& ran) -> asio::awaitable<int> {
        ran = true;
        co_return 1;
      }(ran),
      0s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(!ran);
  BOOST_TEST(vt() == 0s);
}

TASKIO_TEST_CASE(zero_timeout_waits_for_the_cancelled_work) {
  auto slow = taskio::create_task(slow_to_cancel(1h, 1s, on_cancel::rethrow));
  auto suppressing = taskio::create_task(slow_to_cancel(1h, 1s, on_cancel::suppress, 8));
  auto failing = taskio::create_task(slow_to_cancel(1h, 1s, on_cancel::fail));
  co_await taskio::sleep(0s);  // all three are running
  auto e = co_await catch_exception(taskio::wait_for(slow, 0s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(co_await taskio::wait_for(suppressing, 0s) == 8);
  BOOST_TEST(vt() == 2s);
  e = co_await catch_exception(taskio::wait_for(failing, 0s));
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::domain_error);
  BOOST_TEST(vt() == 3s);
}

TASKIO_TEST_CASE(zero_timeout_caller_cancelled_while_waiting) {
  // The caller waits through its own waiter: cancelling it raises at once,
  // the inner task finishes its cleanup on its own.
  auto inner = taskio::create_task(slow_to_cancel(1h, 5s, on_cancel::rethrow));
  co_await taskio::sleep(0s);
  auto caller = taskio::create_task(taskio::wait_for(inner, 0s));
  co_await taskio::sleep(1s);
  caller.cancel("stop waiting");
  auto e = co_await catch_exception(caller.async_wait());
  BOOST_TEST(cancel_message(e) == "stop waiting");
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(!inner.done());
  BOOST_TEST(inner.cancelling() == 1);  // wait_for's own cancel, nothing more
  co_await catch_exception(inner.async_wait());
  BOOST_TEST(vt() == 5s);
  BOOST_TEST(inner.cancelled());
}

// --- delays (any_delay) ------------------------------------------------------------

TASKIO_TEST_CASE(a_negative_timeout_is_zero) {
  auto t = taskio::create_task(value_after(1h, 3));
  co_await taskio::sleep(1s);
  auto e = co_await catch_exception(taskio::wait_for(t, -1s));  // as wait_for(t, 0s)
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(t.cancelled());
  auto done = taskio::create_task(value_after(0s, 4));
  BOOST_TEST(co_await done.async_wait() == 4);
  BOOST_TEST(co_await taskio::wait_for(done, std::chrono::duration<double>(-0.5)) == 4);
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(a_floating_point_timeout) {
  BOOST_TEST(co_await taskio::wait_for(value_after(1s, 2), std::chrono::duration<double>(1.5)) == 2);
  BOOST_TEST(vt() == 1s);
  auto e = co_await catch_exception(taskio::wait_for(value_after(1s, 2), std::chrono::duration<double>(0.25)));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1250ms);
  e = co_await catch_exception(
      taskio::wait_for(value_after(1s, 1), std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN())));
  BOOST_TEST(error_text(e) == "taskio::wait_for: delay is NaN");
}

BOOST_AUTO_TEST_SUITE_END()
