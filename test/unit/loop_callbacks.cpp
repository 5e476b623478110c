// Unit tests of <taskio/loop_callbacks.hpp>: loop time, call_soon /
// call_later / call_at, their ordering, delays, and where they run.
#include <taskio/loop_callbacks.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <taskio/threadsafe.hpp>

#include <cmath>

using namespace taskio_test;

namespace {

using strand_type = asio::strand<asio::io_context::executor_type>;

/// A callback recording `what` and whether it ran on `strand`.
std::function<void()> record(trace& tr, strand_type strand, std::string what) {
  return [&tr, strand, what] { tr(what + (strand.running_in_this_thread() ? "@strand" : "@elsewhere")); };
}

/// Schedules every kind of loop callback from a task on `strand`.
asio::awaitable<void> schedule_everything(trace& tr, strand_type strand) {
  taskio::call_soon(record(tr, strand, "soon"));
  taskio::call_later(1ms, record(tr, strand, "later"));
  taskio::call_at(taskio::loop_time() + 2ms, record(tr, strand, "at"));
  taskio::call_soon([&tr, strand] { taskio::call_soon(record(tr, strand, "from-soon")); });
  auto child = taskio::create_task(taskio::sleep(3ms));
  child.add_done_callback([&tr, strand](const taskio::task<void>&) {
    record(tr, strand, "done")();
    taskio::call_later(1ms, record(tr, strand, "from-done"));
  });
  taskio::call_soon_threadsafe(strand, [&tr, strand] { taskio::call_soon(record(tr, strand, "from-threadsafe")); });
  co_await taskio::sleep(10ms);
}

asio::io_context& context_of(const asio::any_io_executor& ex) {
  return static_cast<asio::io_context&>(asio::query(ex, asio::execution::context));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(loop_callbacks)

TASKIO_TEST_CASE(call_soon_runs_callbacks_fifo_outside_any_task) {
  trace tr;
  taskio::call_soon([&] {
    tr("a");
    BOOST_TEST(!taskio::current_task());
  });
  taskio::call_soon([&] { tr("b"); });
  auto h = taskio::call_soon([&] { tr("cancelled"); });
  h.cancel();
  BOOST_TEST(h.cancelled());
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "a b");
}

TASKIO_TEST_CASE(call_later_and_call_at_run_at_their_time) {
  trace tr;
  auto h1 = taskio::call_later(2s, [&] { tr("later@" + std::to_string(vt().count() / 1000000000)); });
  taskio::call_at(taskio::clock::time_point(1s), [&] { tr("at@" + std::to_string(vt().count() / 1000000000)); });
  auto h3 = taskio::call_later(3s, [&] { tr("never"); });
  BOOST_TEST(h1.when() == taskio::clock::time_point(2s));
  h3.cancel();
  co_await taskio::sleep(5s);
  BOOST_TEST(tr.str() == "at@1 later@2");
}

TASKIO_TEST_CASE(call_later_takes_any_duration_and_a_negative_one_is_zero) {
  trace tr;
  co_await taskio::sleep(1s);
  // asyncio: call_later(-1) is call_at(now - 1): due at once, after what
  // call_soon queued in the same iteration
  auto h = taskio::call_later(-1s, [&] { tr("negative@" + std::to_string(vt().count() / 1000000)); });
  BOOST_TEST(h.when() == taskio::loop_time());
  taskio::call_soon([&] { tr("soon"); });
  taskio::call_later(std::chrono::duration<double>(0.25),
                     [&] { tr("quarter@" + std::to_string(vt().count() / 1000000)); });
  co_await taskio::sleep(1s);
  BOOST_TEST(tr.str() == "soon negative@1000 quarter@1250");
  try {
    taskio::call_later(std::chrono::duration<double>(std::nan("")), [] {});
    BOOST_FAIL("expected std::invalid_argument");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) == "taskio::call_later: delay is NaN");
  }
}

TASKIO_TEST_CASE(callbacks_scheduled_on_a_strand_run_on_that_strand) {
  trace tr;
  strand_type strand = asio::make_strand(context_of(co_await asio::this_coro::executor));
  co_await taskio::create_task(strand, schedule_everything(tr, strand)).async_wait();
  BOOST_TEST(tr.str() ==
             "soon@strand from-soon@strand from-threadsafe@strand later@strand at@strand done@strand "
             "from-done@strand");
}

TASKIO_TEST_CASE(callbacks_scheduled_outside_a_strand_do_not_run_on_it) {
  trace tr;
  strand_type strand = asio::make_strand(context_of(co_await asio::this_coro::executor));
  taskio::call_soon(record(tr, strand, "soon"));  // from main, on the io_context's executor
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "soon@elsewhere");
}

BOOST_AUTO_TEST_CASE(callbacks_need_a_running_loop) {
  BOOST_CHECK_THROW(taskio::call_soon([] {}), std::runtime_error);
  BOOST_CHECK_THROW(taskio::loop_time(), std::runtime_error);
}

TASKIO_TEST_CASE(an_empty_callback_is_rejected) {
  try {
    taskio::call_soon(nullptr);
    BOOST_FAIL("expected std::invalid_argument");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) == "taskio::call_soon: empty callback");
  }
  co_return;
}

BOOST_AUTO_TEST_SUITE_END()
