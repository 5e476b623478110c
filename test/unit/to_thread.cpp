// Unit tests of <taskio/to_thread.hpp> (doc/semantics.md 13, threads). Real threads:
// ordering and generous bounds only (run under ThreadSanitizer in CI).
#include <taskio/to_thread.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <thread>

using namespace taskio_test;

namespace {

/// A one-shot gate a pool thread can wait on (with a generous bound).
class gate {
public:
  void open() {
    {
      std::lock_guard lock(m_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool wait() {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, 30s, [this] { return open_; });
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = false;
};

/// Polls `pred` once per loop iteration (real time, 1 ms apart), at most
/// ~30 s.
template <class Pred>
asio::awaitable<bool> eventually(Pred pred) {
  for (int i = 0; i < 30000; ++i) {
    if (pred()) co_return true;
    co_await taskio::sleep(1ms);
  }
  co_return pred();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(to_thread)

TASKIO_REAL_TIME_TEST_CASE(runs_on_a_pool_thread_and_resumes_on_the_loop_thread) {
  const auto loop_thread = std::this_thread::get_id();
  std::thread::id worker;
  int v = co_await taskio::to_thread(
      [&worker](int a, int b) {
        worker = std::this_thread::get_id();
        return a + b;
      },
      40, 2);
  BOOST_TEST(v == 42);
  BOOST_TEST((worker != loop_thread));
  BOOST_TEST((std::this_thread::get_id() == loop_thread));
}

TASKIO_REAL_TIME_TEST_CASE(move_only_arguments_and_results) {
  auto p = co_await taskio::to_thread([](std::unique_ptr<int> x) { return std::make_unique<int>(*x * 2); },
                                      std::make_unique<int>(21));
  BOOST_TEST(*p == 42);
  int calls = 0;
  co_await taskio::to_thread([&calls] { ++calls; });
  BOOST_TEST(calls == 1);
}

TASKIO_REAL_TIME_TEST_CASE(rethrows_the_function_exception) {
  auto e = co_await catch_exception(taskio::to_thread([]() -> int { throw std::out_of_range("no such key"); }));
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::out_of_range);
}

TASKIO_TEST_CASE(works_in_virtual_time_without_moving_the_clock) {
  co_await taskio::sleep(5s);
  std::string s = co_await taskio::to_thread([] {
    std::this_thread::sleep_for(2ms);
    return std::string("done");
  });
  BOOST_TEST(s == "done");
  BOOST_TEST(vt() == 5s);
}

TASKIO_REAL_TIME_TEST_CASE(cancelling_stops_the_waiting_but_not_the_thread) {
  auto g = std::make_shared<gate>();
  auto started = std::make_shared<std::atomic<bool>>(false);
  auto finished = std::make_shared<std::atomic<bool>>(false);
  auto waiter = taskio::create_task(taskio::to_thread([g, started, finished] {
    started->store(true);
    g->wait();
    finished->store(true);
    return 1;
  }));
  BOOST_TEST(co_await eventually([&] { return started->load(); }));
  BOOST_TEST(waiter.cancel("enough"));
  co_await taskio::sleep(0s);  // the next iteration
  BOOST_TEST(waiter.cancelled());
  BOOST_TEST(cancel_message(co_await catch_exception(waiter.async_wait())) == "enough");
  BOOST_TEST(!finished->load());  // the thread keeps running ...
  g->open();
  BOOST_TEST(co_await eventually([&] { return finished->load(); }));  // ... its result is discarded
}

BOOST_AUTO_TEST_CASE(the_pool_is_sized_by_run_options_threads) {
  for (std::size_t threads : {std::size_t(1), std::size_t(3)}) {
    auto active = std::make_shared<std::atomic<int>>(0);
    auto peak = std::make_shared<std::atomic<int>>(0);
    taskio::run(
        [](auto active, auto peak, std::size_t threads) -> asio::awaitable<void> {
          auto work = [active, peak, threads] {
            int now = ++*active;
            for (int seen = *peak; now > seen && !peak->compare_exchange_weak(seen, now);) {
            }
            // Give the others every chance to overlap (up to the pool size).
            std::this_thread::sleep_for(20ms);
            for (int i = 0; i < 10000 && *peak < static_cast<int>(threads); ++i) std::this_thread::sleep_for(1ms);
            --*active;
          };
          co_await taskio::gather(taskio::to_thread(work), taskio::to_thread(work), taskio::to_thread(work));
        }(active, peak, threads),
        {.handle_signals = false, .threads = threads});
    BOOST_TEST(*peak == static_cast<int>(threads));
  }
}

BOOST_AUTO_TEST_CASE(run_joins_the_pool_before_returning) {
  auto finished = std::make_shared<std::atomic<bool>>(false);
  taskio::run(
      [](auto finished) -> asio::awaitable<void> {
        taskio::create_task(taskio::to_thread([finished] {
          std::this_thread::sleep_for(50ms);
          finished->store(true);
        }));
        co_await taskio::sleep(0s);
        co_await taskio::sleep(0s);  // the function runs; main returns, the waiter is cancelled
      }(finished),
      {.handle_signals = false});
  BOOST_TEST(finished->load());
}

BOOST_AUTO_TEST_CASE(needs_a_running_loop) {
  asio::io_context io;
  std::exception_ptr e;
  asio::co_spawn(io, taskio::to_thread([] { return 1; }), [&e](std::exception_ptr x, int) { e = x; });
  io.run();
  try {
    std::rethrow_exception(e);
  } catch (const std::runtime_error& x) {
    BOOST_TEST(std::string(x.what()).find("no running event loop") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
