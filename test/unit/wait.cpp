// Unit tests of <taskio/wait.hpp> (doc/semantics.md 10, wait).
#include <taskio/wait.hpp>  // first: the header is self-contained

#include "../concurrency_support.hpp"

#include <cmath>

// The suite lives in taskio_test: at global scope `wait` is the C function.
namespace taskio_test {
namespace {

using taskio::return_when;

std::vector<int> values(const std::vector<taskio::task<int>>& ts) {
  std::vector<int> v;
  for (const auto& t : ts) v.push_back(t.done() ? t.result() : -1);
  return v;
}

template <class T>
std::size_t index_of(const std::vector<T>& v, const T& x) {
  return static_cast<std::size_t>(std::find(v.begin(), v.end(), x) - v.begin());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wait)

TASKIO_TEST_CASE(all_completed_is_the_default) {
  auto ts = tasks_after(3, 1, 2);
  auto [done, pending] = co_await taskio::wait(ts);
  BOOST_TEST(vt() == 3s);
  BOOST_TEST(done.size() == 3u);
  BOOST_TEST(pending.empty());
  BOOST_TEST(done == ts);  // input order, not completion order
}

TASKIO_TEST_CASE(first_completed_returns_at_the_first_completion) {
  auto ts = tasks_after(3, 1, 2);
  auto [done, pending] = co_await taskio::wait(ts, {.return_when = return_when::first_completed});
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(values(done) == vec<int>(1));
  BOOST_TEST(values(pending) == vec<int>(-1, -1));
  BOOST_TEST(index_of(ts, pending[0]) == 0u);  // input order
  BOOST_TEST(index_of(ts, pending[1]) == 2u);
  BOOST_TEST(pending[0].cancelling() == 0);  // nothing is cancelled
}

TASKIO_TEST_CASE(done_is_computed_after_waking_so_it_may_hold_more) {
  auto ts = tasks_after(2, 1, 1);
  auto [done, pending] = co_await taskio::wait(ts, {.return_when = return_when::first_completed});
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(values(done) == vec<int>(1, 1));
  BOOST_TEST(pending.size() == 1u);
}

TASKIO_TEST_CASE(first_exception_returns_at_the_first_failure_without_raising) {
  auto ts = tasks_after(1, 3);
  ts.insert(ts.begin() + 1, taskio::create_task(fail_after(2s)));
  auto [done, pending] = co_await taskio::wait(ts, {.return_when = return_when::first_exception});
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(done.size() == 2u);
  BOOST_TEST((done[0] == ts[0] && done[1] == ts[1]));
  BOOST_TEST((pending.size() == 1u && pending[0] == ts[2]));
  BOOST_TEST(error_text(done[1].exception()) == "boom");
}

TASKIO_TEST_CASE(first_exception_ignores_cancelled_children) {
  auto ts = tasks_after(1000, 2);
  taskio::call_later(1s, [t = ts[0]] { t.cancel(); });
  auto [done, pending] = co_await taskio::wait(ts, {.return_when = return_when::first_exception});
  BOOST_TEST(vt() == 2s);  // all completed
  BOOST_TEST(done.size() == 2u);
  BOOST_TEST(ts[0].cancelled());
}

TASKIO_TEST_CASE(first_exception_without_a_failure_waits_for_all) {
  auto ts = tasks_after(1, 2);
  auto [done, pending] = co_await taskio::wait(ts, {.return_when = return_when::first_exception});
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(done.size() == 2u);
}

TASKIO_TEST_CASE(a_timeout_returns_the_pending_ones_and_cancels_nothing) {
  auto ts = tasks_after(1, 5);
  auto [done, pending] = co_await taskio::wait(ts, {.timeout = 2s});
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(values(done) == vec<int>(1));
  BOOST_TEST((pending.size() == 1u && pending[0] == ts[1]));
  BOOST_TEST(ts[1].cancelling() == 0);
  BOOST_TEST(co_await ts[1].async_wait() == 5);
  BOOST_TEST(vt() == 5s);
}

TASKIO_TEST_CASE(a_timeout_is_disarmed_when_the_condition_is_met_first) {
  auto ts = tasks_after(1);
  co_await taskio::wait(ts, {.timeout = 10s});
  BOOST_TEST(vt() == 1s);
  co_await taskio::sleep(20s);  // nothing fires at 10s
  BOOST_TEST(vt() == 21s);
}

TASKIO_TEST_CASE(it_suspends_even_when_everything_is_done) {
  auto ts = tasks_after(1);
  co_await ts[0].async_wait();
  trace tr;
  taskio::call_soon([&] { tr("callback"); });
  auto [done, pending] = co_await taskio::wait(ts);
  tr("returned");
  BOOST_TEST(tr.str() == "callback returned");
  BOOST_TEST(done.size() == 1u);
  // ... and it is a cancellation point
  taskio::current_task().cancel("self");
  auto e = co_await catch_exception(taskio::wait(ts));
  BOOST_TEST(cancel_message(e) == "self");
  taskio::current_task().uncancel();
}

TASKIO_TEST_CASE(duplicates_collapse) {
  auto ts = tasks_after(1, 2);
  auto [done, pending] = co_await taskio::wait(vec<taskio::task<int>>(ts[1], ts[0], ts[1]));
  BOOST_TEST(done.size() == 2u);
  BOOST_TEST((done[0] == ts[1] && done[1] == ts[0]));  // first occurrences, in order
}

TASKIO_TEST_CASE(cancelling_the_waiting_task_leaves_the_children_running) {
  auto ts = tasks_after(5, 6);
  auto waiter = taskio::create_task(
      [](std::vector<taskio::task<int>> ts) -> asio::awaitable<void> { co_await taskio::wait(ts); }(ts));
  co_await taskio::sleep(1s);
  waiter.cancel("stop");
  auto e = co_await catch_exception(waiter.async_wait());
  BOOST_TEST(cancel_message(e) == "stop");
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(!ts[0].done());
  BOOST_TEST(ts[0].cancelling() == 0);
  BOOST_TEST(co_await ts[1].async_wait() == 6);
}

TASKIO_TEST_CASE(futures_and_task_refs_work_too) {
  std::vector<taskio::future<int>> fs(2);
  taskio::call_later(1s, [f = fs[1]] { f.set_result(1); });
  auto [done, pending] = co_await taskio::wait(fs, {.return_when = return_when::first_completed});
  BOOST_TEST((done.size() == 1u && done[0] == fs[1]));
  BOOST_TEST((pending.size() == 1u && pending[0] == fs[0]));
  fs[0].cancel();

  auto refs = vec<taskio::task_ref>(taskio::create_task(value_after(1s, 1)), taskio::create_task(taskio::sleep(2s)));
  auto r = co_await taskio::wait(refs);
  BOOST_TEST(r.done.size() == 2u);
}

TASKIO_TEST_CASE(wait_does_not_retrieve_exceptions) {
  clear_logs();
  {
    auto ts = vec<taskio::task<int>>(taskio::create_task(fail_after(1s)));
    co_await taskio::wait(ts);
  }
  co_await taskio::sleep(0s);  // the last references are gone
  BOOST_TEST(logged("Task exception was never retrieved"));
}

TASKIO_TEST_CASE(first_exception_retrieves_the_exception_it_checks) {
  clear_logs();
  {
    auto ts = vec<taskio::task<int>>(taskio::create_task(fail_after(1s)));
    co_await taskio::wait(ts, {.return_when = return_when::first_exception});
  }
  co_await taskio::sleep(0s);
  BOOST_TEST(!logged("never retrieved"));
}

TASKIO_TEST_CASE(misuse_is_rejected_with_asyncio_messages) {
  std::vector<taskio::task<int>> none;
  try {
    co_await taskio::wait(none);
    BOOST_FAIL("an empty set must be rejected");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("Set of Tasks/Futures is empty.") != std::string::npos);
  }
  auto ts = tasks_after(1);
  try {
    co_await taskio::wait(ts, {.return_when = static_cast<return_when>(7)});
    BOOST_FAIL("a bad return_when must be rejected");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("Invalid return_when value: 7") != std::string::npos);
  }
  try {
    co_await taskio::wait(ts, {.timeout = std::chrono::duration<double>(std::nan(""))});
    BOOST_FAIL("a NaN timeout must be rejected");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) == "taskio::wait: delay is NaN");
  }
  BOOST_CHECK_THROW(co_await taskio::wait(vec<taskio::task_ref>(taskio::task_ref())), std::logic_error);
  BOOST_TEST(vt() == 0s);
}

TASKIO_TEST_CASE(a_negative_timeout_is_zero_and_any_duration_is_accepted) {
  auto ts = tasks_after(1, 2);
  auto [done, pending] = co_await taskio::wait(ts, {.timeout = -1s});  // one loop iteration
  BOOST_TEST(done.size() == 0u);
  BOOST_TEST(pending.size() == 2u);
  BOOST_TEST(vt() == 0s);
  auto [done2, pending2] = co_await taskio::wait(ts, {.timeout = std::chrono::duration<double>(1.5)});
  BOOST_TEST(done2.size() == 1u);
  BOOST_TEST(pending2.size() == 1u);
  BOOST_TEST(vt() == 1500ms);
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace taskio_test
