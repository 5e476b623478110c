// Reliability: the misuse matrix. Every API call that can be misused fails
// with a clear exception whose message names the problem (doc/reliability.md
// lists them: call -> error and message). What cannot be made an error
// (undefined behaviour, as in asyncio) is documented there, not tested.
#include "harness.hpp"

#include <taskio/threadsafe.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/core/demangle.hpp>

#include <cmath>
#include <limits>
#include <thread>
#include <typeinfo>

namespace taskio_test::reliability {
namespace {

using taskio::task_group;
using taskio::timeout_scope;

/// The exception f() throws (null if none).
template <class F>
std::exception_ptr thrown(F&& f) {
  try {
    f();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

/// Checks that `e` holds an E whose what() contains `phrase`.
template <class E>
void check_error(const std::exception_ptr& e, const std::string& phrase) {
  bool ok = false;
  try {
    if (e) std::rethrow_exception(e);
  } catch (const E& x) {
    ok = std::string(x.what()).find(phrase) != std::string::npos;
  } catch (...) {
  }
  BOOST_TEST(ok, "expected " << boost::core::demangle(typeid(E).name()) << " containing \"" << phrase
                             << "\", got: " << (e ? taskio::describe_exception(e) : "no exception"));
}

/// Runs make() as a plain Asio coroutine (co_spawn: not a taskio task) on a
/// fresh loop; returns its exception.
std::exception_ptr outside_a_task(std::function<asio::awaitable<void>()> make) {
  taskio::runner r(taskio::run_options{.virtual_time = true, .handle_signals = false});
  std::exception_ptr e;
  asio::co_spawn(r.get_executor(), make(), [&e](std::exception_ptr x) { e = x; });
  r.run([]() -> asio::awaitable<void> { co_await taskio::sleep(1s); }());
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(misuse)

// --- results, states, handles -------------------------------------------------------

TASKIO_TEST_CASE(result_or_exception_of_a_pending_task_or_future) {
  auto t = taskio::create_task(value_after(1s, 1));
  taskio::future<int> f;
  check_error<taskio::invalid_state_error>(thrown([&] { t.result(); }), "result is not set");
  check_error<taskio::invalid_state_error>(thrown([&] { t.exception(); }), "exception is not set");
  check_error<taskio::invalid_state_error>(thrown([&] { f.result(); }), "result is not set");
  check_error<taskio::invalid_state_error>(thrown([&] { f.exception(); }), "exception is not set");
  check_error<taskio::invalid_state_error>(thrown([&] { f.result(); }), "<Future pending>");
  f.cancel();
  co_await t.async_wait();
}

TASKIO_TEST_CASE(completing_a_done_future) {
  taskio::future<int> f;
  f.set_result(1);
  check_error<taskio::invalid_state_error>(thrown([&] { f.set_result(2); }), "is already done");
  check_error<taskio::invalid_state_error>(
      thrown([&] { f.set_exception(std::make_exception_ptr(std::runtime_error("x"))); }), "is already done");
  BOOST_TEST(f.result() == 1);  // unchanged
  taskio::future<void> v;
  v.cancel();
  check_error<taskio::invalid_state_error>(thrown([&] { v.set_result(); }), "is already done");
  BOOST_TEST(!v.cancel());  // cancelling a done future is no error: false
  taskio::future<int> n;
  check_error<std::invalid_argument>(thrown([&] { n.set_exception(nullptr); }), "null exception_ptr");
  BOOST_TEST(!n.done());
  n.cancel();
  co_return;
}

TASKIO_TEST_CASE(empty_handles) {
  const taskio::task<int> t;
  const taskio::task_ref r;
  check_error<std::logic_error>(thrown([&] { (void)t.done(); }), "empty task handle");
  check_error<std::logic_error>(thrown([&] { t.cancel(); }), "empty task handle");
  check_error<std::logic_error>(thrown([&] { (void)t.result(); }), "empty task handle");
  check_error<std::logic_error>(thrown([&] { (void)t.async_wait(); }), "empty task handle");
  check_error<std::logic_error>(thrown([&] { r.cancel_threadsafe(); }), "empty task handle");
  BOOST_TEST(!r);
  BOOST_TEST(r.repr() == "<Task none>");
  const taskio::concurrent_future<int> cf;
  check_error<std::logic_error>(thrown([&] { (void)cf.done(); }), "empty future");
  const taskio::timer_handle h;
  check_error<std::logic_error>(thrown([&] { (void)h.when(); }), "empty handle");
  h.cancel();  // no-op
  BOOST_TEST(!h.cancelled());
  co_return;
}

TASKIO_TEST_CASE(a_task_awaiting_itself) {
  taskio::task<void> self;
  self = taskio::create_task([](taskio::task<void>& me) -> asio::awaitable<void> {
    co_await taskio::yield_now();
    co_await me.async_wait();
  }(self));
  auto e = co_await catch_exception(self.async_wait());
  check_error<std::runtime_error>(e, "Task cannot await on itself");
  BOOST_TEST(!self.cancelled());  // it failed with that error
}

TASKIO_TEST_CASE(an_empty_awaitable) {
  auto aw = value_after(1s, 1);
  auto moved = std::move(aw);
  BOOST_TEST(!aw.valid());
  const std::string phrase = "cannot run an empty asio::awaitable";
  check_error<std::invalid_argument>(thrown([&] { taskio::create_task(std::move(aw)); }), phrase);
  check_error<std::invalid_argument>(co_await catch_exception(taskio::wait_for(std::move(aw), 1s)), phrase);
  check_error<std::invalid_argument>(co_await catch_exception(taskio::wait_for(std::move(aw), std::nullopt)), phrase);
  check_error<std::invalid_argument>(thrown([&] { (void)taskio::timeout(1s, std::move(aw)); }), phrase);
  check_error<std::invalid_argument>(thrown([&] { (void)taskio::shield(std::move(aw)); }), phrase);
  check_error<std::invalid_argument>(thrown([&] { (void)taskio::gather(std::move(aw)); }), phrase);
  co_await taskio::async_with(task_group{}, [&](task_group& tg) -> asio::awaitable<void> {
    check_error<std::invalid_argument>(thrown([&] { tg.create_task(std::move(aw)); }), phrase);
    co_return;
  });
  BOOST_TEST(co_await std::move(moved) == 1);  // the moved-to awaitable is fine
  BOOST_TEST(taskio::all_tasks().size() == 1u);  // no task was created
}

TASKIO_TEST_CASE(executors_that_are_not_a_loop) {
  asio::thread_pool pool(1);
  check_error<std::invalid_argument>(thrown([&] { taskio::create_task(pool.get_executor(), forever()); }),
                                     "must be an io_context executor or a strand of one");
  check_error<std::invalid_argument>(thrown([&] { taskio::future<int> f(pool.get_executor()); }),
                                     "must be an io_context executor");
  auto cf = taskio::run_coroutine_threadsafe(value_after(1s, 1), pool.get_executor());
  check_error<std::invalid_argument>(thrown([&] { cf.result(); }), "must be an io_context executor");
  pool.join();
  co_return;
}

namespace {
asio::awaitable<void> awaits(taskio::task<void>& other) {
  co_await taskio::yield_now();
  co_await other.async_wait();
}

asio::awaitable<void> cycle_of_two() {
  taskio::task<void> a, b;
  a = taskio::create_task(awaits(b), "a");
  b = taskio::create_task(awaits(a), "b");
  co_await taskio::sleep(1s);
  BOOST_TEST(a.cancel());  // forwarded to b, which forwards it to a: stopped there, logged
  co_await taskio::sleep(1s);
  BOOST_TEST(!a.done());  // still deadlocked
  BOOST_TEST(!b.done());
}
}  // namespace

// A cycle of awaits is a deadlock no cancellation can break (asyncio raises
// RecursionError from cancel()): cancel() logs it instead of recursing until
// the stack overflows, and the loop's shutdown reports the deadlock. The two
// tasks are never freed (they hold each other), hence no leak check here.
BOOST_AUTO_TEST_CASE(tasks_awaiting_each_other_in_a_cycle) {
  const leak_check_disabled deadlock_leaks;
  clear_logs();
  check_error<std::runtime_error>(thrown([] { run_virtual(cycle_of_two()); }), "taskio: deadlock");
  // the record names the task (repr and creation site) in its text
  BOOST_TEST(logged("cancel: <Task cancelling name='a' created at "));
  BOOST_TEST(logged("> awaits itself through a cycle of tasks: the cancellation cannot reach it"));
}

// --- outside a loop, inside a running loop, closed runners ---------------------------

BOOST_AUTO_TEST_CASE(calls_that_need_a_running_loop) {
  const std::string phrase = "no running event loop";
  check_error<std::runtime_error>(thrown([] { taskio::create_task(forever()); }), "taskio::create_task: " + phrase);
  check_error<std::runtime_error>(thrown([] { taskio::future<int> f; }), "taskio::future: " + phrase);
  check_error<std::runtime_error>(thrown([] { (void)taskio::sleep(1s); }), "taskio::sleep: " + phrase);
  check_error<std::runtime_error>(thrown([] { (void)taskio::yield_now(); }), phrase);
  check_error<std::runtime_error>(thrown([] { (void)taskio::current_task(); }), "taskio::current_task: " + phrase);
  check_error<std::runtime_error>(thrown([] { (void)taskio::all_tasks(); }), phrase);
  check_error<std::runtime_error>(thrown([] { (void)taskio::loop_time(); }), phrase);
  check_error<std::runtime_error>(thrown([] { taskio::advance_time(1s); }), phrase);
  check_error<std::runtime_error>(thrown([] { taskio::call_soon([] {}); }), "taskio::call_soon: " + phrase);
  check_error<std::runtime_error>(thrown([] { taskio::call_later(1s, [] {}); }), phrase);
  check_error<std::runtime_error>(thrown([] { (void)taskio::timeout(1s); }), "taskio::timeout: " + phrase);
  check_error<std::runtime_error>(thrown([] { (void)taskio::gather(forever()); }), phrase);
  check_error<std::runtime_error>(thrown([] { (void)taskio::shield(forever()); }), phrase);
  // timeout_at needs no loop: a scope can be made ahead of time
  BOOST_TEST(!taskio::timeout_at(std::nullopt).when());
}

TASKIO_TEST_CASE(run_inside_a_running_loop) {
  check_error<std::runtime_error>(thrown([] { taskio::run(forever()); }), "cannot be called from a running event loop");
  taskio::runner r;
  check_error<std::runtime_error>(thrown([&] { r.run(forever()); }), "cannot be called from a running event loop");
  co_return;
}

BOOST_AUTO_TEST_CASE(a_closed_runner) {
  taskio::runner r(taskio::run_options{.virtual_time = true, .handle_signals = false});
  BOOST_TEST(r.run(value_after(1s, 3)) == 3);
  r.close();
  r.close();  // idempotent
  check_error<std::runtime_error>(thrown([&] { r.run(value_after(1s, 3)); }), "Runner is closed");
  check_error<std::runtime_error>(thrown([&] { (void)r.get_executor(); }), "Runner is closed");
}

TASKIO_TEST_CASE(advance_time_misuse) {
  check_error<std::invalid_argument>(thrown([] { taskio::advance_time(-1s); }), "negative duration");
  co_return;
}

BOOST_AUTO_TEST_CASE(advance_time_on_a_real_time_loop) {
  std::exception_ptr e;
  run_real([](std::exception_ptr& e) -> asio::awaitable<void> {
    e = thrown([] { taskio::advance_time(1s); });
    co_return;
  }(e));
  check_error<std::logic_error>(e, "does not run in virtual time");
}

// --- delays: NaN, infinite and too large everywhere a delay is taken -------------------

// Every delay is a taskio::any_delay: any std::chrono::duration converts to it
// (negative ones are zero, see test/unit/clock.cpp); a NaN, an infinity or
// more than 100 years is std::invalid_argument naming the function.
static_assert(std::is_convertible_v<std::chrono::duration<double>, taskio::any_delay>);

TASKIO_TEST_CASE(nan_infinite_and_too_large_delays) {
  const std::chrono::duration<double> nan(std::numeric_limits<double>::quiet_NaN());
  const std::chrono::duration<double> inf(std::numeric_limits<double>::infinity());
  check_error<std::invalid_argument>(thrown([&] { (void)taskio::sleep(nan); }), "taskio::sleep: delay is NaN");
  check_error<std::invalid_argument>(thrown([&] { (void)taskio::sleep(inf); }), "taskio::sleep: delay is infinite");
  check_error<std::invalid_argument>(thrown([] { (void)taskio::sleep(std::chrono::duration<double>(1e300)); }),
                                     "taskio::sleep: delay is too large");
  check_error<std::invalid_argument>(thrown([] { (void)taskio::sleep(std::chrono::hours::max()); }),
                                     "taskio::sleep: delay is too large");
  check_error<std::invalid_argument>(co_await catch_exception(taskio::sleep(nan, 5)), "taskio::sleep: delay is NaN");
  check_error<std::invalid_argument>(thrown([&] { taskio::call_later(nan, [] {}); }),
                                     "taskio::call_later: delay is NaN");
  check_error<std::invalid_argument>(thrown([&] { (void)taskio::timeout(nan); }), "taskio::timeout: delay is NaN");
  check_error<std::invalid_argument>(thrown([&] { (void)taskio::timeout(inf, forever()); }),
                                     "taskio::timeout: delay is infinite");
  check_error<std::invalid_argument>(co_await catch_exception(taskio::wait_for(value_after(1s, 1), nan)),
                                     "taskio::wait_for: delay is NaN");
  auto t = taskio::create_task(value_after(1s, 1));
  const std::vector<taskio::task<int>> ts{t};
  check_error<std::invalid_argument>(co_await catch_exception(taskio::wait(ts, {.timeout = nan})),
                                     "taskio::wait: delay is NaN");
  check_error<std::invalid_argument>(thrown([&] { (void)taskio::as_completed(ts, nan); }),
                                     "taskio::as_completed: delay is NaN");
  BOOST_TEST(co_await t.async_wait() == 1);  // none of them touched t
  // past time points are not misuse: they mean "now"
  co_await taskio::sleep_until(taskio::loop_time() - 1s);
  auto h = taskio::call_at(taskio::loop_time() - 1s, [] {});
  BOOST_TEST(vt() == 1s);
}

// --- wait / as_completed / gather arguments ---------------------------------------------

TASKIO_TEST_CASE(combinator_arguments) {
  check_error<std::invalid_argument>(co_await catch_exception(taskio::wait(std::vector<taskio::task<int>>{})),
                                     "Set of Tasks/Futures is empty.");
  auto t = taskio::create_task(value_after(1s, 1));
  const std::vector<taskio::task<int>> ts{t};
  const taskio::wait_options bad{.timeout = std::nullopt, .return_when = static_cast<taskio::return_when>(7)};
  check_error<std::invalid_argument>(co_await catch_exception(taskio::wait(ts, bad)), "Invalid return_when value: 7");
  check_error<std::invalid_argument>(thrown([] { taskio::outcome<int>::failure(nullptr); }), "null exception_ptr");
  check_error<std::invalid_argument>(thrown([] { taskio::call_soon(nullptr); }), "empty callback");
  // a child of another loop
  taskio::runner other;
  const taskio::future<int> foreign(other.get_executor());
  check_error<std::invalid_argument>(thrown([&] { (void)taskio::gather(t, foreign); }),
                                     "taskio::gather: every task and future must belong to the running loop");
  const std::vector<taskio::future<int>> foreigners{foreign};
  check_error<std::invalid_argument>(co_await catch_exception(taskio::wait(foreigners)),
                                     "taskio::wait: every task and future must belong to the running loop");
  BOOST_TEST(co_await t.async_wait() == 1);
}

TASKIO_TEST_CASE(as_completed_next_beyond_the_end) {
  std::vector<taskio::task<int>> ts{taskio::create_task(value_after(1s, 1))};
  auto ac = taskio::as_completed(ts);
  BOOST_TEST(co_await ac.next() == 1);
  BOOST_TEST(!ac.has_next());
  check_error<std::logic_error>(thrown([&] { (void)ac.next(); }), "no result left (has_next() is false)");
}

TASKIO_TEST_CASE(as_completed_position_dereferenced_twice) {
  std::vector<taskio::task<int>> ts{taskio::create_task(value_after(1s, 1)), taskio::create_task(value_after(2s, 2))};
  auto ac = taskio::as_completed(ts);
  auto it = ac.begin();
  auto first = *it;
  check_error<std::logic_error>(thrown([&] { (void)*it; }), "this position was already dereferenced");
  BOOST_TEST(co_await std::move(first) == 1);
  ++it;
  BOOST_TEST(co_await *it == 2);  // the next position is fine
}

// --- task groups ---------------------------------------------------------------------------

TASKIO_TEST_CASE(task_group_create_task_out_of_turn) {
  task_group never_entered;
  check_error<std::runtime_error>(thrown([&] { never_entered.create_task(forever()); }), "has not been entered");

  task_group tg;
  co_await taskio::async_with(tg, [](task_group&) -> asio::awaitable<void> { co_return; });
  check_error<std::runtime_error>(thrown([&] { tg.create_task(forever()); }), "is finished");

  bool ran = false;
  auto e = co_await catch_exception(
      taskio::async_with(task_group{}, [&ran](task_group& g) -> asio::awaitable<void> {
        g.create_task([]() -> asio::awaitable<void> { throw std::runtime_error("boom"); co_return; }());
        try {
          co_await taskio::sleep(1h);
        } catch (const taskio::cancelled_error&) {
          // the group is aborting: no new child, and the coroutine never runs
          check_error<std::runtime_error>(thrown([&] {
            g.create_task([](bool& ran) -> asio::awaitable<void> { ran = true; co_return; }(ran));
          }), "is shutting down");
          throw;
        }
      }));
  BOOST_TEST(!ran);
  check_error<taskio::exception_group>(e, "unhandled errors in a TaskGroup");
  BOOST_TEST(taskio::all_tasks().size() == 1u);
}

TASKIO_TEST_CASE(task_group_entered_or_exited_out_of_turn) {
  task_group tg;
  co_await tg.aenter();
  check_error<std::runtime_error>(co_await catch_exception(tg.aenter()), "has already been entered");
  co_await tg.aexit(nullptr);
  check_error<std::runtime_error>(co_await catch_exception(tg.aexit(nullptr)), "has already been exited");
  check_error<std::runtime_error>(co_await catch_exception(tg.aenter()), "has already been entered");

  task_group fresh;
  check_error<std::runtime_error>(co_await catch_exception(fresh.aexit(nullptr)), "has not been entered");

  task_group other;
  co_await other.aenter();
  auto stranger = taskio::create_task([](task_group& g) -> asio::awaitable<void> { co_await g.aexit(nullptr); }(other));
  check_error<std::runtime_error>(co_await catch_exception(stranger.async_wait()),
                                  "must be exited by the task that entered it");
  co_await other.aexit(nullptr);
}

TASKIO_TEST_CASE(task_group_moved_from) {
  task_group a;
  task_group b(std::move(a));
  check_error<std::logic_error>(co_await catch_exception(a.aenter()), "use of a moved-from task_group");
  check_error<std::logic_error>(thrown([&] { a.create_task(forever()); }), "use of a moved-from task_group");
  BOOST_TEST(a.repr() == "<TaskGroup moved-from>");
}

BOOST_AUTO_TEST_CASE(task_group_and_timeout_outside_a_task) {
  task_group tg;
  check_error<std::runtime_error>(outside_a_task([&] { return tg.aenter(); }), "cannot determine the parent task");
  check_error<std::runtime_error>(thrown([&] { tg.create_task(forever()); }), "has not been entered");
  timeout_scope scope = taskio::timeout_at(std::nullopt);
  check_error<std::runtime_error>(outside_a_task([&] { return scope.aenter(); }),
                                  "Timeout should be used inside a task");
}

// --- timeouts -------------------------------------------------------------------------------

TASKIO_TEST_CASE(timeout_entered_twice_or_rescheduled_out_of_turn) {
  auto scope = taskio::timeout(1h);
  check_error<std::runtime_error>(thrown([&] { scope.reschedule(taskio::loop_time()); }),
                                  "Timeout has not been entered");
  check_error<std::runtime_error>(co_await catch_exception(scope.aexit(nullptr)), "Timeout has not been entered");
  co_await taskio::async_with(scope, [](timeout_scope& s) -> asio::awaitable<void> {
    check_error<std::runtime_error>(co_await catch_exception(s.aenter()), "Timeout has already been entered");
    check_error<std::logic_error>(thrown([&] { timeout_scope moved(std::move(s)); }),
                                  "cannot move a Timeout that has been entered");
  });
  check_error<std::runtime_error>(thrown([&] { scope.reschedule(taskio::loop_time()); }),
                                  "Cannot change state of finished Timeout");
  check_error<std::runtime_error>(co_await catch_exception(scope.aenter()), "Timeout has already been entered");
  check_error<std::runtime_error>(co_await catch_exception(scope.aexit(nullptr)),
                                  "Cannot change state of finished Timeout");

  auto expiring = taskio::timeout(1s);
  auto e = co_await catch_exception(taskio::async_with(expiring, [](timeout_scope& s) -> asio::awaitable<void> {
    try {
      co_await taskio::sleep(1h);
    } catch (const taskio::cancelled_error&) {
      check_error<std::runtime_error>(thrown([&] { s.reschedule(std::nullopt); }),
                                      "Cannot change state of expiring Timeout");
      throw;
    }
  }));
  BOOST_TEST(is_timeout(e));
  check_error<std::runtime_error>(thrown([&] { expiring.reschedule(std::nullopt); }),
                                  "Cannot change state of expired Timeout");
}

// --- async_with ----------------------------------------------------------------------------

TASKIO_TEST_CASE(async_with_suppressing_without_a_value) {
  struct suppressor {
    asio::awaitable<void> aenter() { co_return; }
    asio::awaitable<bool> aexit(std::exception_ptr) { co_return true; }
  };
  struct no_default {
    explicit no_default(int) {}
  };
  auto e = co_await catch_exception(taskio::async_with(suppressor{}, [](suppressor&) -> asio::awaitable<no_default> {
    throw std::runtime_error("x");
    co_return no_default(1);
  }));
  check_error<std::logic_error>(e, "the manager suppressed an exception but the body has no value");
}

// --- threads ---------------------------------------------------------------------------------

TASKIO_REAL_TIME_TEST_CASE(blocking_on_a_concurrent_future_in_its_own_loop) {
  auto ex = co_await asio::this_coro::executor;
  auto cf = taskio::run_coroutine_threadsafe(value_after(1ms, 1), ex);
  check_error<std::runtime_error>(thrown([&] { cf.result(); }), "called on a thread running the task's loop");
  check_error<std::runtime_error>(thrown([&] { cf.exception(); }), "called on a thread running the task's loop");
  while (!cf.done()) co_await taskio::sleep(1ms);
  BOOST_TEST(cf.result() == 1);  // done: no blocking, no error
}

// The calls that are not thread-safe, made from another thread while the
// loop runs (undefined in asyncio): a clear error naming the thread-safe
// alternative; nothing changed.
TASKIO_TEST_CASE(not_thread_safe_calls_from_a_foreign_thread) {
  auto t = taskio::create_task(forever());
  taskio::future<int> f;
  taskio::future<void> g;
  std::vector<std::exception_ptr> errors;
  std::thread([&] {
    errors.push_back(thrown([&] { t.cancel(); }));
    errors.push_back(thrown([&] { t.uncancel(); }));
    errors.push_back(thrown([&] { f.set_result(1); }));
    errors.push_back(thrown([&] { g.set_result(); }));
    errors.push_back(thrown([&] { f.set_exception(std::make_exception_ptr(std::runtime_error("x"))); }));
    errors.push_back(thrown([&] { f.cancel(); }));
  }).join();
  const char* const who[] = {"taskio::task::cancel",       "taskio::task::uncancel",
                             "taskio::future::set_result", "taskio::future::set_result",
                             "taskio::future::set_exception", "taskio::future::cancel"};
  BOOST_TEST_REQUIRE(errors.size() == 6u);
  for (std::size_t i = 0; i < errors.size(); ++i)
    check_error<std::logic_error>(errors[i], std::string(who[i]) + ": called from a thread that is not running the loop");
  check_error<std::logic_error>(errors[0], "cancel_threadsafe");
  BOOST_TEST(t.cancelling() == 0);
  BOOST_TEST(!f.done());
  BOOST_TEST(!g.done());
  t.cancel();  // on the loop's thread: fine
  co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
}

// Waking a parked waiter of a primitive from another thread while the loop
// runs: the same error, naming the primitive; the waiter stays parked.
TASKIO_TEST_CASE(waking_a_primitive_waiter_from_a_foreign_thread) {
  taskio::event ev;
  taskio::queue<int> q;
  auto on_event = taskio::create_task(ev.wait());
  auto on_queue = taskio::create_task(q.get());
  co_await taskio::sleep(1ms);  // both parked
  std::vector<std::exception_ptr> errors;
  std::thread([&] {
    errors.push_back(thrown([&] { ev.set(); }));
    errors.push_back(thrown([&] { q.put_nowait(1); }));
  }).join();
  BOOST_TEST_REQUIRE(errors.size() == 2u);
  check_error<std::logic_error>(errors[0], "taskio::event: called from a thread that is not running the loop");
  check_error<std::logic_error>(errors[1], "taskio::queue: called from a thread that is not running the loop");
  co_await taskio::sleep(1ms);
  BOOST_TEST(!on_event.done());  // not woken
  BOOST_TEST(!on_queue.done());
  on_event.cancel();
  on_queue.cancel();
  co_await catch_exception(on_event.async_wait());
  co_await catch_exception(on_queue.async_wait());
  BOOST_TEST(on_event.cancelled());
  BOOST_TEST(on_queue.cancelled());
}

// The thread-safe call is cancel_threadsafe().
BOOST_AUTO_TEST_CASE(cancel_threadsafe_from_a_foreign_thread) {
  taskio::runner r(taskio::run_options{.handle_signals = false});
  std::atomic<bool> started{false};
  auto t = taskio::create_task(r.get_executor(), [](std::atomic<bool>& started) -> asio::awaitable<int> {
    started = true;
    try {
      co_await taskio::sleep(1h);
    } catch (const taskio::cancelled_error& e) {
      co_return e.message() == "from a thread" ? 1 : 2;
    }
    co_return 3;
  }(started));
  std::thread canceller([t, &started] {
    while (!started) std::this_thread::yield();
    t.cancel_threadsafe("from a thread");
  });
  BOOST_TEST(r.run(t.async_wait()) == 1);
  canceller.join();
  BOOST_TEST(t.cancelling() == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace taskio_test::reliability
