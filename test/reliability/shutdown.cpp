// Reliability: how a loop ends (doc/reliability.md, "Loop shutdown"). Every
// case has a defined outcome: run() (runner::close()) cancels what is still
// pending, once and without a message, waits for it, logs what failed, and
// destroys the loop; an io_context destroyed by its owner destroys its
// pending tasks. Nothing is left running and nothing leaks (LeakSanitizer
// checks the ASan build).
#include "harness.hpp"

#include <taskio/threadsafe.hpp>
#include <taskio/to_thread.hpp>

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace taskio_test::reliability {
namespace {

/// Sets a flag when destroyed: tells that a coroutine frame went away.
struct on_destroy {
  bool& flag;
  ~on_destroy() { flag = true; }
};

/// What a child saw at shutdown, in order: "cancelled(<message>) at 1s", ...
using events = std::vector<std::string>;

std::string at() {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(vt()).count()) + "ms";
}

/// Sleeps for an hour; records the cancellation it gets, then lets it go.
asio::awaitable<void> records_its_cancellation(events& ev) {
  try {
    co_await taskio::sleep(1h);
  } catch (const taskio::cancelled_error& e) {
    ev.push_back("cancelled(" + e.message() + ") at " + at());
    throw;
  }
}

/// Swallows its cancellation, then goes on for `cleanup` and returns.
asio::awaitable<void> slow_cleanup(events& ev, taskio::clock::duration cleanup) {
  try {
    co_await taskio::sleep(1h);
  } catch (const taskio::cancelled_error&) {
    ev.push_back("cleanup from " + at());
  }
  co_await taskio::sleep(cleanup);
  ev.push_back("cleanup done at " + at());
}

/// Fails when cancelled.
asio::awaitable<void> fails_when_cancelled() {
  try {
    co_await taskio::sleep(1h);
  } catch (const taskio::cancelled_error&) {
    throw std::runtime_error("cleanup failed");
  }
}

asio::awaitable<int> main_returning_after(taskio::clock::duration d, std::vector<asio::awaitable<void>> children) {
  for (auto& c : children) taskio::create_task(std::move(c));
  co_await taskio::sleep(d);
  co_return 7;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shutdown)

BOOST_AUTO_TEST_CASE(pending_tasks_are_cancelled_once_and_awaited) {
  clear_logs();
  events ev;
  std::vector<asio::awaitable<void>> children;
  children.push_back(records_its_cancellation(ev));
  children.push_back(records_its_cancellation(ev));
  const int v = taskio::run(main_returning_after(1s, std::move(children)),
                            {.virtual_time = true, .handle_signals = false});
  BOOST_TEST(v == 7);
  BOOST_TEST(ev == (events{"cancelled() at 1000ms", "cancelled() at 1000ms"}));
  BOOST_TEST(taskio_warnings().empty());
}

BOOST_AUTO_TEST_CASE(a_task_ignoring_cancellation_for_a_while_delays_the_end) {
  clear_logs();
  events ev;
  taskio::runner r(taskio::run_options{.virtual_time = true, .handle_signals = false});
  auto child = taskio::create_task(r.get_executor(), slow_cleanup(ev, 5s));
  r.run(taskio::sleep_until(taskio::clock::time_point(1s)));
  r.close();
  BOOST_TEST(ev == (events{"cleanup from 1000ms", "cleanup done at 6000ms"}));
  BOOST_TEST(child.done());
  BOOST_TEST(!child.cancelled());  // it swallowed the request and returned
  BOOST_TEST(child.cancelling() == 1);
  BOOST_TEST(taskio_warnings().empty());
}

BOOST_AUTO_TEST_CASE(a_task_failing_at_shutdown_is_logged) {
  clear_logs();
  std::vector<asio::awaitable<void>> children;
  children.push_back(fails_when_cancelled());
  BOOST_TEST(taskio::run(main_returning_after(1s, std::move(children)),
                         {.virtual_time = true, .handle_signals = false}) == 7);
  BOOST_TEST(logged("unhandled exception during taskio::run() shutdown: <Task finished name='Task-"));
  BOOST_TEST(logged(" exception=cleanup failed created at "));
  BOOST_TEST(!logged("never retrieved"));
}

namespace {
asio::awaitable<void> late_child(events& ev) {
  ev.push_back("late child runs at " + at());
  co_await taskio::sleep(1s);
  ev.push_back("late child done at " + at());
}

/// When cancelled, starts `late_child` as a new task; awaits it or not.
asio::awaitable<void> spawns_when_cancelled(events& ev, bool await_it, taskio::task<void>& late) {
  try {
    co_await taskio::sleep(1h);
  } catch (const taskio::cancelled_error&) {
    ev.push_back("cancelled at " + at());
  }
  late = taskio::create_task(late_child(ev));
  if (await_it) co_await late.async_wait();
}
}  // namespace

BOOST_AUTO_TEST_CASE(tasks_created_during_shutdown) {
  clear_logs();
  for (bool await_it : {true, false}) {
    BOOST_TEST_CONTEXT((await_it ? "awaited" : "not awaited")) {
      events ev;
      taskio::task<void> late;
      std::vector<asio::awaitable<void>> children;
      children.push_back(spawns_when_cancelled(ev, await_it, late));
      taskio::run(main_returning_after(1s, std::move(children)), {.virtual_time = true, .handle_signals = false});
      if (await_it) {  // it belongs to the task that awaits it: it runs
        BOOST_TEST(ev == (events{"cancelled at 1000ms", "late child runs at 1000ms", "late child done at 2000ms"}));
        BOOST_TEST(!late.cancelled());
      } else {  // the next round of the shutdown cancels it before its first step: no line of it runs
        BOOST_TEST(ev == (events{"cancelled at 1000ms"}));
        BOOST_TEST(late.cancelled());
      }
    }
  }
  BOOST_TEST(taskio_warnings().empty());
}

namespace {
asio::awaitable<void> callbacks_that_throw(events& ev) {
  auto t = taskio::create_task(taskio::sleep(1s));
  t.add_done_callback([](const taskio::task<void>&) { throw std::runtime_error("done callback failed"); });
  taskio::call_soon([] { throw std::runtime_error("call_soon failed"); });
  co_await t.async_wait();
  co_await taskio::sleep(1s);
  ev.push_back("main goes on at " + at());
}
}  // namespace

BOOST_AUTO_TEST_CASE(exceptions_from_callbacks_are_logged_and_the_loop_goes_on) {
  clear_logs();
  events ev;
  run_virtual(callbacks_that_throw(ev));
  BOOST_TEST(ev == (events{"main goes on at 2000ms"}));
  BOOST_TEST(logged("exception in a loop callback: done callback failed"));
  BOOST_TEST(logged("exception in a loop callback: call_soon failed"));
}

namespace {
/// Pending children, then a callback at 1 s throwing `fatal`.
template <class Fatal>
asio::awaitable<void> fatal_callback(events& ev, Fatal fatal, bool from_done_callback) {
  taskio::create_task(records_its_cancellation(ev));
  if (from_done_callback) {
    auto t = taskio::create_task(taskio::sleep(1s));
    t.add_done_callback([fatal](const taskio::task<void>&) { throw fatal; });
  } else {
    taskio::call_later(1s, [fatal] { throw fatal; });
  }
  co_await records_its_cancellation(ev);
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_fatal_exception_from_a_callback_leaves_run) {
  for (bool virtual_time : {true, false}) {
    for (bool from_done_callback : {true, false}) {
      BOOST_TEST_CONTEXT((virtual_time ? "virtual time" : "real time")
                         << (from_done_callback ? ", done callback" : ", call_later")) {
        clear_logs();
        events ev;
        const taskio::run_options opts{.virtual_time = virtual_time, .handle_signals = false};
        BOOST_CHECK_THROW(taskio::run(fatal_callback(ev, taskio::keyboard_interrupt(), from_done_callback), opts),
                          taskio::keyboard_interrupt);
        // the runner's destructor shut the loop down: both tasks were cancelled and awaited
        BOOST_TEST(ev.size() == 2u);
        try {
          taskio::run(fatal_callback(ev, taskio::system_exit(3), from_done_callback), opts);
          BOOST_ERROR("system_exit expected");
        } catch (const taskio::system_exit& e) {
          BOOST_TEST(e.code() == 3);
        }
        BOOST_TEST(ev.size() == 4u);
        BOOST_TEST(taskio_warnings().empty());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(main_failing_while_tasks_are_pending) {
  clear_logs();
  events ev;
  BOOST_CHECK_THROW(run_virtual([](events& ev) -> asio::awaitable<void> {
                      taskio::create_task(records_its_cancellation(ev));
                      co_await taskio::sleep(1s);
                      throw std::runtime_error("main failed");
                    }(ev)),
                    std::runtime_error);
  BOOST_TEST(ev == (events{"cancelled() at 1000ms"}));
  BOOST_TEST(taskio_warnings().empty());
}

BOOST_AUTO_TEST_CASE(a_thread_still_running_is_joined) {
  std::atomic<bool> finished{false};
  run_real([](std::atomic<bool>& finished) -> asio::awaitable<void> {
    taskio::create_task([](std::atomic<bool>& finished) -> asio::awaitable<void> {
      co_await taskio::to_thread([&finished] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        finished = true;
      });
    }(finished));
    co_await taskio::yield_now();  // the call is on its way; main returns
  }(finished));
  BOOST_TEST(finished);  // run() returned after the function did
}

// The done callback that completes a concurrent_future runs even when the
// task ends in the shutdown's last round: a thread blocked on result() is
// released (with cancelled_error) instead of waiting forever.
BOOST_AUTO_TEST_CASE(a_threadsafe_future_completes_at_shutdown) {
  taskio::runner r(taskio::run_options{.virtual_time = true, .handle_signals = false});
  bool destroyed = false;
  auto cf = taskio::run_coroutine_threadsafe(
      [](bool& destroyed) -> asio::awaitable<int> {
        on_destroy d{destroyed};
        co_await taskio::sleep(1h);
        co_return 1;
      }(destroyed),
      r.get_executor());
  r.run([]() -> asio::awaitable<void> { co_await taskio::yield_now(); }());
  BOOST_TEST(!cf.done());
  r.close();
  BOOST_TEST(destroyed);
  BOOST_TEST(cf.cancelled());
  BOOST_CHECK_THROW(cf.result(), taskio::cancelled_error);
}

BOOST_AUTO_TEST_CASE(a_runner_keeps_tasks_between_runs) {
  clear_logs();
  events ev;
  taskio::runner r(taskio::run_options{.virtual_time = true, .handle_signals = false});
  auto child = taskio::create_task(r.get_executor(), records_its_cancellation(ev));
  r.run(taskio::sleep_until(taskio::clock::time_point(1s)));
  BOOST_TEST(!child.done());  // still pending between runs, as with asyncio.Runner
  r.run(taskio::sleep_until(taskio::clock::time_point(2s)));
  BOOST_TEST(ev.empty());
  r.close();
  BOOST_TEST(ev == (events{"cancelled() at 2000ms"}));
  BOOST_TEST(child.cancelled());
}

namespace {
asio::awaitable<void> sleeps(bool& destroyed) {
  on_destroy d{destroyed};
  co_await taskio::sleep(1h);
}
asio::awaitable<void> waits_on_an_asio_timer(bool& destroyed) {
  on_destroy d{destroyed};
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
  co_await timer.async_wait(asio::use_awaitable);
}
}  // namespace

BOOST_AUTO_TEST_CASE(an_io_context_destroyed_with_pending_tasks) {
  clear_logs();
  bool sleeper_gone = false, timer_waiter_gone = false, callback_ran = false;
  taskio::task<void> kept;  // a handle that outlives the io_context
  {
    asio::io_context io(1);
    kept = taskio::create_task(io, sleeps(sleeper_gone), "sleeper");
    taskio::create_task(io, waits_on_an_asio_timer(timer_waiter_gone), "timer-waiter")
        .add_done_callback([&callback_ran](const taskio::task<void>&) { callback_ran = true; });
    io.poll();  // both started, both suspended
    BOOST_TEST(!kept.done());
  }
  // the frames were destroyed with the io_context (their destructors ran)
  BOOST_TEST(sleeper_gone);
  BOOST_TEST(timer_waiter_gone);
  BOOST_TEST(!callback_ran);  // a destroyed task does not complete
  BOOST_TEST(logged("Task was destroyed but it is pending! <Task pending name='timer-waiter' created at "));
  BOOST_TEST(!logged("name='sleeper'"));  // its state lives on in `kept`
  BOOST_TEST(!kept.done());
  kept = {};
  BOOST_TEST(logged("Task was destroyed but it is pending! <Task pending name='sleeper' created at "));
}

namespace {
asio::awaitable<void> yields_then_sleeps(bool& destroyed) {
  on_destroy d{destroyed};
  co_await taskio::sleep(0s);
  co_await taskio::sleep(1h);
}
asio::awaitable<void> holds(std::shared_ptr<int>) { co_await taskio::sleep(1h); }
asio::awaitable<void> awaits(taskio::future<int> f, bool& destroyed) {
  on_destroy d{destroyed};
  co_await f.async_wait();
}
}  // namespace

// Steps still queued when the io_context goes (a first step, the wake-up of a
// yield, the wake-up of a wait on a done future: each queued without an
// allocation of its own) are destroyed unrun, with the tasks' frames.
BOOST_AUTO_TEST_CASE(an_io_context_destroyed_with_steps_queued) {
  clear_logs();
  bool yielder_gone = false, awaiter_gone = false;
  auto token = std::make_shared<int>(0);  // held by the unstarted task's frame (a parameter)
  const std::weak_ptr<int> unstarted_frame = token;
  {
    asio::io_context io(1);
    taskio::future<int> done(io.get_executor());
    done.set_result(1);
    taskio::create_task(io, yields_then_sleeps(yielder_gone), "yielder");
    taskio::create_task(io, awaits(done, awaiter_gone), "awaiter");
    BOOST_TEST(io.run_one() == 1u);  // the yielder's first step: its wake-up is queued
    BOOST_TEST(io.run_one() == 1u);  // the awaiter's: its wake-up is queued
    taskio::create_task(io, holds(std::move(token)), "unstarted");
  }
  BOOST_TEST(yielder_gone);
  BOOST_TEST(awaiter_gone);
  BOOST_TEST(unstarted_frame.expired());
  for (const char* name : {"yielder", "awaiter", "unstarted"})
    BOOST_TEST(logged(std::string("Task was destroyed but it is pending! <Task pending name='") + name + "' created at "));
}

namespace {
asio::awaitable<void> parks_forever(taskio::event& never, bool& destroyed) {
  on_destroy d{destroyed};
  co_await never.wait();
}
// At its group's exit the parent is parked in the group's wait queue, which
// the group owns, which the parent's frame owns: only the loop can end it.
asio::awaitable<void> waits_for_its_group(taskio::event& never, bool& child_gone, std::shared_ptr<int>) {
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& g) -> asio::awaitable<void> {
    g.create_task(parks_forever(never, child_gone), "child");
    co_return;
  });
}
}  // namespace

// Tasks parked in a wait queue (a primitive, a task group's exit) when the
// io_context goes: the waiters are destroyed unrun with the tasks' frames,
// also where the queue belongs to the parked task's own frame.
BOOST_AUTO_TEST_CASE(an_io_context_destroyed_with_tasks_parked_in_wait_queues) {
  clear_logs();
  bool child_gone = false, waiter_gone = false;
  auto token = std::make_shared<int>(0);  // held by the parent's frame (a parameter)
  const std::weak_ptr<int> parent_frame = token;
  taskio::event never;  // outlives the io_context
  {
    asio::io_context io(1);
    taskio::create_task(io, waits_for_its_group(never, child_gone, std::move(token)), "parent");
    taskio::create_task(io, parks_forever(never, waiter_gone), "waiter");
    io.poll();  // all three parked: the parent at its group's exit, the others on the event
    BOOST_TEST(!parent_frame.expired());
  }
  BOOST_TEST(parent_frame.expired());
  BOOST_TEST(child_gone);
  BOOST_TEST(waiter_gone);
  for (const char* name : {"parent", "child", "waiter"})
    BOOST_TEST_CONTEXT(name)
    BOOST_TEST(logged(std::string("Task was destroyed but it is pending! <Task pending name='") + name + "' created at "));
  never.set();  // no waiter left in it, no loop bound
  BOOST_TEST(never.is_set());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace taskio_test::reliability
