// Unit tests of <taskio/threadsafe.hpp> (doc/semantics.md 13, threads): a loop runs on a
// background thread, the test thread is the foreign one. Real threads:
// ordering and generous bounds only (run under ThreadSanitizer in CI).
#include <taskio/threadsafe.hpp>  // first: the header is self-contained

#include "../concurrency_support.hpp"

#include <future>
#include <thread>

using namespace taskio_test;
using taskio::cancelled_error;

namespace {

asio::awaitable<int> await_future(taskio::future<int> f) { co_return co_await f.async_wait(); }


}  // namespace

BOOST_AUTO_TEST_SUITE(threadsafe)

BOOST_AUTO_TEST_CASE(result_blocks_a_foreign_thread_until_the_task_is_done) {
  background_loop bg;
  auto f = taskio::run_coroutine_threadsafe(value_after(5ms, 42), bg.ex);
  BOOST_TEST(f.valid());
  BOOST_TEST(f.result(bound) == 42);
  BOOST_TEST(f.done());
  BOOST_TEST(!f.cancelled());
  BOOST_TEST(!f.exception());
  BOOST_TEST(f.result() == 42);  // again
}

BOOST_AUTO_TEST_CASE(the_task_exception_reaches_the_foreign_thread) {
  background_loop bg;
  auto f = taskio::run_coroutine_threadsafe(
      []() -> asio::awaitable<void> {
        co_await taskio::sleep(1ms);
        throw std::runtime_error("boom");
      }(),
      bg.ex);
  BOOST_CHECK_THROW(f.result(bound), std::runtime_error);
  BOOST_CHECK_THROW(std::rethrow_exception(f.exception()), std::runtime_error);
  BOOST_TEST(!f.cancelled());
}

BOOST_AUTO_TEST_CASE(a_result_timeout_does_not_cancel_the_task) {
  background_loop bg;
  taskio::future<int> box(bg.ex);
  auto f = taskio::run_coroutine_threadsafe(await_future(box), bg.ex);
  BOOST_CHECK_THROW(f.result(1ms), taskio::timeout_error);
  BOOST_TEST(!f.done());
  taskio::call_soon_threadsafe(bg.ex, [box] { box.set_result(7); });
  BOOST_TEST(f.result(bound) == 7);
}

BOOST_AUTO_TEST_CASE(cancel_cancels_the_future_at_once_and_the_task_on_its_loop) {
  background_loop bg;
  std::promise<void> started;
  std::promise<std::string> seen;
  auto body = [](std::promise<void>& started, std::promise<std::string>& seen) -> asio::awaitable<int> {
    started.set_value();
    try {
      co_await taskio::sleep(1h);
    } catch (const cancelled_error& e) {
      seen.set_value("cancelled");
      throw;
    }
    co_return 0;
  };
  auto f = taskio::run_coroutine_threadsafe(body(started, seen), bg.ex);
  BOOST_REQUIRE(started.get_future().wait_for(bound) == std::future_status::ready);
  BOOST_TEST(f.cancel());
  BOOST_TEST(f.cancelled());
  BOOST_TEST(f.done());
  BOOST_CHECK_THROW(f.result(), cancelled_error);
  BOOST_CHECK_THROW(f.exception(), cancelled_error);
  BOOST_TEST(!f.cancel());
  auto s = seen.get_future();
  BOOST_REQUIRE(s.wait_for(bound) == std::future_status::ready);
  BOOST_TEST(s.get() == "cancelled");
}

BOOST_AUTO_TEST_CASE(a_future_cancelled_before_the_task_starts_never_runs_it) {
  taskio::runner r({.handle_signals = false});
  bool ran = false;
  auto f = taskio::run_coroutine_threadsafe(
      [](bool& ran) -> asio::awaitable<int> {
        ran = true;
        co_return 1;
      }(ran),
      r.get_executor());
  BOOST_TEST(f.cancel());
  r.run([]() -> asio::awaitable<void> { co_await taskio::sleep(1ms); }());
  BOOST_TEST(!ran);
  BOOST_TEST(f.cancelled());
}

BOOST_AUTO_TEST_CASE(a_task_cancelled_on_its_loop_cancels_the_future_with_its_message) {
  background_loop bg;
  auto f = taskio::run_coroutine_threadsafe(
      []() -> asio::awaitable<int> {
        taskio::current_task().cancel("inside");
        co_await taskio::sleep(0s);
        co_return 1;
      }(),
      bg.ex);
  try {
    f.result(bound);
    BOOST_FAIL("the task was cancelled");
  } catch (const cancelled_error& e) {
    BOOST_TEST(e.message() == "inside");
  }
  BOOST_TEST(f.cancelled());
}

BOOST_AUTO_TEST_CASE(a_failure_to_create_the_task_goes_into_the_future) {
  clear_logs();
  asio::thread_pool pool(1);
  auto f = taskio::run_coroutine_threadsafe(value_after(1ms, 1), pool.get_executor());
  BOOST_TEST(f.done());
  BOOST_CHECK_THROW(f.result(), std::invalid_argument);
  BOOST_TEST(logged("creating the task failed"));
  BOOST_CHECK_THROW(taskio::concurrent_future<int>().result(), std::logic_error);
}

TASKIO_TEST_CASE(result_on_the_loop_thread_is_an_error_until_done) {
  auto ex = co_await asio::this_coro::executor;  // a task's executor works too
  auto f = taskio::run_coroutine_threadsafe(value_after(1s, 1), ex);
  try {
    f.result();
    BOOST_FAIL("blocking the loop thread must be refused");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("deadlock") != std::string::npos);
  }
  co_await taskio::sleep(2s);
  BOOST_TEST(f.result() == 1);
}

BOOST_AUTO_TEST_CASE(call_soon_threadsafe_runs_on_the_loop_and_logs_failures) {
  background_loop bg;
  clear_logs();
  taskio::future<int> box(bg.ex);
  auto f = taskio::run_coroutine_threadsafe(await_future(box), bg.ex);
  std::thread::id ran_on;
  taskio::call_soon_threadsafe(bg.ex, [box, &ran_on] {
    ran_on = std::this_thread::get_id();
    box.set_result(taskio::loop_time().time_since_epoch() >= 0s ? 5 : 0);  // a running loop here
  });
  BOOST_TEST(f.result(bound) == 5);
  BOOST_TEST((ran_on == bg.thread.get_id()));
  taskio::call_soon_threadsafe(bg.ex, [] { throw std::runtime_error("callback failed"); });
  // FIFO on the loop: once this task is done, the callback has run.
  BOOST_TEST(taskio::run_coroutine_threadsafe(value_after(0s, 1), bg.ex).result(bound) == 1);
  BOOST_TEST(logged("exception in a loop callback: callback failed"));
  BOOST_CHECK_THROW(taskio::call_soon_threadsafe(asio::system_executor(), [] {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(many_foreign_threads_at_once) {
  background_loop bg;
  std::vector<std::thread> threads;
  std::atomic<int> sum{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) sum += taskio::run_coroutine_threadsafe(value_after(0s, t * 100 + i), bg.ex).result(bound);
    });
  for (auto& th : threads) th.join();
  int expected = 0;
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 50; ++i) expected += t * 100 + i;
  BOOST_TEST(sum == expected);
}

BOOST_AUTO_TEST_SUITE_END()
