// Loop-local executor references (task_state.hpp, task_executor): copies of
// a task's executor made on the thread running its single-threaded loop are
// counted without atomic operations, and dropped anywhere. Each case makes
// such copies on the loop's thread and drops them on other threads (a thread
// pool's work guard, an executor kept beyond the task, one dropped after the
// io_context is gone), then checks that the task's state is freed: its
// result (a shared_ptr) expires. AddressSanitizer/LeakSanitizer and
// ThreadSanitizer are the oracles for "nothing freed early, nothing raced".
#include "../concurrency_support.hpp"

#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <optional>
#include <semaphore>
#include <thread>

using namespace taskio_test;

namespace {

using result_ptr = std::shared_ptr<int>;

/// Awaits `n` posts to `pool` (each completion's work guard, a copy of the
/// task's executor made on the loop's thread, is dropped on a pool thread).
asio::awaitable<result_ptr> hop_through(asio::thread_pool& pool, int n, std::weak_ptr<int>* out) {
  auto p = std::make_shared<int>(n);
  *out = p;
  for (int i = 0; i < n; ++i) co_await asio::post(pool, asio::use_awaitable);
  co_await asio::post(asio::use_awaitable);  // back on the loop's thread
  co_return p;
}

/// Lets the loop run what other threads queued to it (their dropped
/// references) before the caller looks.
asio::awaitable<void> a_few_rounds() {
  for (int i = 0; i < 5; ++i) co_await taskio::sleep(std::chrono::seconds(0));
}

/// Hands the task's own executor out, then returns its result.
asio::awaitable<result_ptr> give_executor(std::optional<asio::any_io_executor>* ex, std::weak_ptr<int>* out) {
  auto p = std::make_shared<int>(7);
  *out = p;
  *ex = co_await asio::this_coro::executor;  // made on the loop's thread
  co_return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(executor_refs_threads)

// A task resumed from a thread pool many times: every resumption's work guard
// is a local reference dropped on a pool thread, handed back to the loop.
// (The loop's own work guard: a task awaiting another context counts no work
// on its loop.)
BOOST_AUTO_TEST_CASE(pool_resumptions_free_the_task) {
  asio::thread_pool pool(2);
  std::weak_ptr<int> weak;
  taskio::runner r({.handle_signals = false});
  auto work = asio::make_work_guard(r.get_executor());
  auto main = [](asio::thread_pool* pool, std::weak_ptr<int>* weak) -> asio::awaitable<void> {
    {
      auto t = taskio::create_task(hop_through(*pool, 200, weak));
      result_ptr r = co_await t.async_wait();
      BOOST_TEST(*r == 200);
    }
    pool->join();  // every pool thread has dropped what it held
    co_await a_few_rounds();
    BOOST_TEST(weak->expired());
  };
  r.run(main(&pool, &weak));
  work.reset();
  BOOST_TEST(weak.expired());
}

// The same on an io_context(1) driven by plain io_context::run (no taskio
// driver): references dropped outside a step on the loop's thread are local
// too (the thread runs the io_context).
BOOST_AUTO_TEST_CASE(pool_resumptions_on_a_plain_run) {
  asio::thread_pool pool(2);
  std::weak_ptr<int> weak;
  {
    asio::io_context io(1);
    auto work = asio::make_work_guard(io);
    auto t = taskio::create_task(io.get_executor(), hop_through(pool, 200, &weak));
    t.add_done_callback([&work](const taskio::task<result_ptr>&) { work.reset(); });
    io.run();
    BOOST_TEST(t.done());
    BOOST_TEST(*t.result() == 200);
    t = {};
    pool.join();
    io.restart();
    io.run();  // the references pool threads handed back
    BOOST_TEST(weak.expired());
  }
  BOOST_TEST(weak.expired());
}

// The task's executor kept beyond the task, copied and dropped on another
// thread while the loop still runs.
TASKIO_REAL_TIME_TEST_CASE(executor_outlives_its_task_on_another_thread) {
  std::optional<asio::any_io_executor> ex;
  std::weak_ptr<int> weak;
  {
    auto t = taskio::create_task(give_executor(&ex, &weak));
    result_ptr r = co_await t.async_wait();
    BOOST_TEST(*r == 7);
  }
  co_await a_few_rounds();
  BOOST_TEST(!weak.expired());  // the executor holds the task's state
  std::thread th([moved = std::move(ex)]() mutable {
    std::optional<asio::any_io_executor> copy = moved;  // an ordinary reference
    moved.reset();
    copy.reset();
  });
  ex.reset();
  th.join();
  co_await a_few_rounds();
  BOOST_TEST(weak.expired());
}

// The task's executor dropped on another thread after its io_context (and
// loop) is gone: the drop must not reach the loop.
BOOST_AUTO_TEST_CASE(executor_dropped_after_the_io_context_is_gone) {
  std::optional<asio::any_io_executor> ex;
  std::weak_ptr<int> weak;
  auto main = [](std::optional<asio::any_io_executor>* ex, std::weak_ptr<int>* weak) -> asio::awaitable<void> {
    auto t = taskio::create_task(give_executor(ex, weak));
    co_await t.async_wait();
  };
  taskio::run(main(&ex, &weak), taskio::run_options{.handle_signals = false});
  BOOST_TEST(!weak.expired());
  std::thread th([moved = std::move(ex)]() mutable { moved.reset(); });
  ex.reset();
  th.join();
  BOOST_TEST(weak.expired());
}

// A pending task's executor kept by another thread while the io_context is
// destroyed with the task still suspended: dropped there afterwards. (The
// task's state is observed through the record its destruction logs while
// pending: its done callbacks are dropped with its frames.)
BOOST_AUTO_TEST_CASE(executor_of_a_pending_task_dropped_after_shutdown) {
  clear_logs();
  const std::string gone = "Task was destroyed but it is pending! <Task pending name='kept-elsewhere'";
  std::optional<asio::any_io_executor> ex;
  std::binary_semaphore have_executor(0), io_gone(0);
  std::thread th([&] {
    have_executor.acquire();
    std::optional<asio::any_io_executor> mine = std::move(ex);
    io_gone.acquire();
    mine.reset();
  });
  {
    asio::io_context io(1);
    auto body = [](std::optional<asio::any_io_executor>* ex, std::binary_semaphore* have) -> asio::awaitable<void> {
      *ex = co_await asio::this_coro::executor;
      have->release();
      co_await forever();
    };
    auto t = taskio::create_task(io.get_executor(), body(&ex, &have_executor), "kept-elsewhere");
    io.poll();  // the first step: the task hands its executor out and suspends
    BOOST_TEST(!t.done());
  }  // io_context destroyed (the task's frame with it); the handle was dropped
  BOOST_TEST(!logged(gone));  // the other thread's executor holds the state
  io_gone.release();
  th.join();
  BOOST_TEST(logged(gone));
}

BOOST_AUTO_TEST_SUITE_END()
