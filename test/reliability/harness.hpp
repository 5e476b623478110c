//
// test/reliability/harness.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The systematic cancellation harness (doc/reliability.md). A scenario is a
// coroutine run as one task, the *target*. The harness runs it once
// undisturbed, counting the loop iterations until the target is done (K),
// then reruns it once per interference and per iteration k = 1..K:
//
//   cancel_between_iterations   target.cancel() at the start of iteration k,
//                               before any handler of that iteration runs
//   cancel_from_task            another task calls target.cancel() in
//                               iteration k, after the handlers queued by
//                               iteration k-1 (wake-ups of the target, ...)
//   expire_at_iteration         the target runs the scenario inside a
//                               timeout_scope whose deadline is moved to
//                               "now" at the start of iteration k (it fires
//                               as a loop callback in that iteration)
//   deadline_at_time            (virtual time only) the scope is created with
//                               timeout_at(t) for every loop time t at which
//                               an iteration ran, and every time between two
//                               of them: the timer fires among the others
//
// After each run it checks the invariants (check()): the outcome is the
// undisturbed one or the documented cancellation outcome (cancelled_error
// once a cancel was accepted, unless the scenario fails with its own error
// anyway; timeout_error once the scope expired, unless the deadline passed
// after the block's last suspension point: its request is then withdrawn
// undelivered and the block ends as undisturbed), the cancelling()
// count is where doc/semantics.md puts it, no task is pending, every coroutine
// frame of the scenario is gone, no taskio record of severity warning or
// above was emitted (exceptions never retrieved, tasks destroyed pending,
// failing callbacks), and under AddressSanitizer LeakSanitizer finds no leak.
//
// The loop is driven here, iteration by iteration exactly as the kernel's
// virtual-time driver does (doc/design.md, "Time"), so that something can
// happen at the start of every iteration without a kernel hook: a callback
// chain would keep the loop busy and stop the virtual clock. In real time
// (sockets, threads) an idle iteration waits for the next event.

#ifndef TASKIO_TEST_RELIABILITY_HARNESS_HPP
#define TASKIO_TEST_RELIABILITY_HARNESS_HPP

#include "../timeout_support.hpp"

#include <taskio/detail/loop.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace taskio_test::reliability {

/// Counts the live frames of a scenario's coroutines: each of them declares
/// `live_frame here;` first. A frame still alive after the target finished
/// (or after the loop closed) is work left behind (or leaked).
class live_frame {
public:
  live_frame() noexcept { ++count_; }
  ~live_frame() { --count_; }
  live_frame(const live_frame&) = delete;
  live_frame& operator=(const live_frame&) = delete;
  static int count() noexcept { return count_; }

private:
  static inline std::atomic<int> count_{0};
};

/// The cleanup of a scenario that owns tasks outside a task group: cancels
/// those not done, waits for all of them and retrieves their outcomes.
/// Cancellation: a cancellation point (one request was already delivered
/// when a scenario calls this; edge-triggered cancellation lets it wait).
inline asio::awaitable<void> cancel_and_wait(std::vector<taskio::task_ref> tasks) {
  for (const auto& t : tasks) t.cancel();
  co_await taskio::wait(tasks);
  for (const auto& t : tasks)
    if (!t.cancelled()) (void)t.exception();
}

/// What the harness runs.
struct scenario {
  std::string name;
  std::function<asio::awaitable<void>()> body;
  /// True for the outcome of an undisturbed run (null: the body returned).
  std::function<bool(const std::exception_ptr&)> normal = [](const std::exception_ptr& e) { return !e; };
  /// Virtual time (false: real time, for sockets).
  bool virtual_time = true;
  /// The iteration count is the same on every run (false with real sockets
  /// or threads: the sweep then goes a little further than the reference).
  bool deterministic = true;
};

enum class interference { none, cancel_between_iterations, cancel_from_task, expire_at_iteration, deadline_at_time };

inline const char* name(interference i) {
  switch (i) {
    case interference::none: return "undisturbed";
    case interference::cancel_between_iterations: return "cancel between iterations";
    case interference::cancel_from_task: return "cancel from a task";
    case interference::expire_at_iteration: return "timeout expiring";
    case interference::deadline_at_time: return "timeout deadline";
  }
  return "?";
}

inline bool is_timed(interference i) {
  return i == interference::expire_at_iteration || i == interference::deadline_at_time;
}

/// What one run observed.
struct run_result {
  std::exception_ptr outcome;         // the target's exception (null: it returned)
  bool hit = false;                   // the cancel was accepted / the scope expired
  int count = -1;                     // the target's cancelling() at the end (timed: right after the scope)
  std::size_t iterations = 0;         // until the target was done
  std::vector<taskio::clock::duration> times;  // loop time at the start of each iteration
  std::vector<std::string> leftover;  // tasks pending once the target and the canceller were done
  int frames_after_done = 0;          // live scenario frames then
  int frames_after_close = 0;         // and once the loop was closed
  std::vector<std::string> records;   // taskio log records of severity warning or above
  std::string failure;                // the driver gave up (deadlock, no end)
};

/// Drives the runner's loop until done() holds, one iteration at a time as
/// the kernel's virtual-time driver does: fire the due timers, run exactly
/// the handlers queued before a marker; after an iteration that ran
/// nothing, jump the clock to the next deadline (virtual time) or wait for
/// the next event. at(k) runs before iteration k (k = 1, 2, ...), on the
/// loop thread, outside any task. Returns the number of iterations.
/// Throws std::runtime_error when nothing is left to run, when no event
/// comes for 10 s, or after `limit` iterations.
inline std::size_t drive(taskio::runner& r, const std::function<bool()>& done,
                         const std::function<void(std::size_t)>& at, std::size_t limit) {
  asio::io_context& io = r.context();
  taskio::detail::loop& l = taskio::detail::loop::of(io);
  taskio::detail::loop_scope scope(&l);
  std::size_t k = 0;
  while (!done()) {
    if (++k > limit) throw std::runtime_error("no end after " + std::to_string(limit) + " iterations");
    at(k);
    l.fire_due_timers();
    auto marker = std::make_shared<bool>(false);  // shared: a handler may throw out of run_one()
    asio::post(io, [marker] { *marker = true; });
    std::size_t ran = 0;
    while (!*marker) {
      if (io.stopped()) io.restart();
      ran += io.run_one();
    }
    if (ran > 1 || done()) continue;
    if (l.virtual_time())
      if (auto next = l.next_deadline()) {
        if (*next > l.now()) l.advance(*next - l.now());
        continue;
      }
    io.restart();
    if (io.run_one_for(std::chrono::seconds(10)) == 0)
      throw std::runtime_error("deadlock: nothing is left to run, or no event for 10 s");
  }
  return k;
}

/// The exception a done task ended with (its cancelled_error if cancelled).
inline std::exception_ptr outcome_of(const taskio::task_ref& t) {
  try {
    return t.exception();
  } catch (...) {
    return std::current_exception();
  }
}

/// The taskio records of severity warning or above captured since clear_logs().
inline std::vector<std::string> taskio_warnings() {
  std::vector<std::string> out;
  for (const auto& r : captured_logs())
    if (r.channel == "taskio" && r.severity >= boost::log::trivial::warning) out.push_back(r.message);
  return out;
}

namespace impl {

inline asio::awaitable<void> under_timeout(const scenario& s, taskio::timeout_scope& scope, int& count) {
  std::exception_ptr e;
  try {
    co_await taskio::async_with(scope, [&s](taskio::timeout_scope&) { return s.body(); });
  } catch (...) {
    e = std::current_exception();
  }
  count = taskio::current_task().cancelling();
  if (e) std::rethrow_exception(e);
}

inline asio::awaitable<void> cancel_when(taskio::future<void> go, taskio::task_ref target, bool& accepted) {
  co_await go.async_wait();
  accepted = target.cancel("harness");
}

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "; ") + x;
  return s;
}

}  // namespace impl

/// Runs `s` once with interference `how` at iteration `k` (or with the
/// deadline `deadline`, for deadline_at_time).
inline run_result run_once(const scenario& s, interference how, std::size_t k,
                           std::optional<taskio::clock::time_point> deadline = {}, std::size_t limit = 100000) {
  clear_logs();
  run_result res;
  {
    taskio::runner r(taskio::run_options{.virtual_time = s.virtual_time, .handle_signals = false});
    const auto ex = r.get_executor();
    const bool timed = is_timed(how);
    taskio::timeout_scope scope =
        taskio::timeout_at(how == interference::deadline_at_time ? deadline : std::nullopt);
    taskio::task<void> target =
        timed ? taskio::create_task(ex, impl::under_timeout(s, scope, res.count), "target")
              : taskio::create_task(ex, s.body(), "target");
    taskio::future<void> go(ex);
    bool accepted = false;
    taskio::task<void> canceller = taskio::create_task(ex, impl::cancel_when(go, target, accepted), "canceller");
    try {
      res.iterations = drive(
          r, [&] { return target.done(); },
          [&](std::size_t i) {
            res.times.push_back(taskio::loop_time().time_since_epoch());
            if (i != k) return;
            switch (how) {
              case interference::cancel_between_iterations: accepted = target.cancel("harness"); break;
              case interference::cancel_from_task: go.set_result(); break;
              case interference::expire_at_iteration:
                try {
                  scope.reschedule(taskio::loop_time());
                } catch (const std::runtime_error&) {
                  // not entered yet, or already exited: nothing to expire
                }
                break;
              default: break;
            }
          },
          limit);
      canceller.cancel();
      drive(r, [&] { return canceller.done(); }, [](std::size_t) {}, limit);
      taskio::detail::loop_scope in_loop(&taskio::detail::loop::of(r.context()));
      for (const auto& t : taskio::all_tasks()) res.leftover.push_back(t.repr());
    } catch (const std::exception& e) {
      res.failure = e.what();
    }
    if (target.done()) {
      res.outcome = outcome_of(target);
      if (!timed) res.count = target.cancelling();
      res.hit = timed ? scope.expired() : accepted;
    }
    res.frames_after_done = live_frame::count();
    target = {};
    canceller = {};
    r.close();
  }
  res.frames_after_close = live_frame::count();
  res.records = taskio_warnings();
  return res;
}

/// Checks the invariants of one run (see the header comment).
inline void check(const scenario& s, interference how, const run_result& r) {
  BOOST_TEST(r.failure.empty(), "the run did not end: " << r.failure);
  const std::string what = r.outcome ? taskio::describe_exception(r.outcome) : "returned";
  if (!r.hit)
    BOOST_TEST(s.normal(r.outcome), "undisturbed outcome expected, got: " << what);
  else if (is_timed(how))  // a deadline passing after the block's last suspension point changes nothing
    BOOST_TEST((is_timeout(r.outcome) || s.normal(r.outcome)),
               "timeout_error (or the undisturbed outcome) expected, got: " << what);
  else
    BOOST_TEST((is_cancelled(r.outcome) || (r.outcome && s.normal(r.outcome))),
               "cancelled_error (or the scenario's error) expected, got: " << what);
  BOOST_TEST(r.count == (r.hit && !is_timed(how) ? 1 : 0), "cancelling() is " << r.count);
  BOOST_TEST(r.leftover.empty(), "tasks left pending: " << impl::join(r.leftover));
  BOOST_TEST(r.frames_after_done == 0, r.frames_after_done << " coroutine frames still alive after the target");
  BOOST_TEST(r.frames_after_close == 0, r.frames_after_close << " coroutine frames alive after the loop closed");
  BOOST_TEST(r.records.empty(), "taskio records: " << impl::join(r.records));
}

/// Asks LeakSanitizer (when built with AddressSanitizer) for leaks so far;
/// true when there are none (or no sanitizer).
inline bool no_leaks() {
#if defined(__SANITIZE_ADDRESS__)
  return __lsan_do_recoverable_leak_check() == 0;
#else
  return true;
#endif
}

/// Allocations made while one exists are never reported by LeakSanitizer:
/// for the tests of situations documented to leak (a deadlock).
struct leak_check_disabled {
  leak_check_disabled() {
#if defined(__SANITIZE_ADDRESS__)
    __lsan_disable();
#endif
  }
  ~leak_check_disabled() {
#if defined(__SANITIZE_ADDRESS__)
    __lsan_enable();
#endif
  }
  leak_check_disabled(const leak_check_disabled&) = delete;
  leak_check_disabled& operator=(const leak_check_disabled&) = delete;
};

/// The statistics of one sweep.
struct sweep_stats {
  std::size_t iterations = 0;  // of the undisturbed run
  std::size_t runs = 0;
  std::size_t hits = 0;        // runs the interference reached
};

/// Runs `s` undisturbed, then with every interference at every iteration
/// (and, in virtual time, every deadline), checking each run.
inline sweep_stats sweep(const scenario& s) {
  sweep_stats st;
  const run_result ref = run_once(s, interference::none, 0);
  BOOST_TEST_CONTEXT(s.name << ", undisturbed") check(s, interference::none, ref);
  st.iterations = ref.iterations;
  if (s.deterministic)
    BOOST_TEST(run_once(s, interference::none, 0).iterations == ref.iterations, "the scenario is not deterministic");
  const std::size_t last = ref.iterations + (s.deterministic ? 0 : 10);
  const std::size_t limit = 20 * ref.iterations + 1000;
  auto one = [&](interference how, std::size_t k, std::optional<taskio::clock::time_point> deadline,
                 const std::string& where) {
    BOOST_TEST_CONTEXT(s.name << ", " << name(how) << " " << where) {
      const run_result r = run_once(s, how, k, deadline, limit);
      check(s, how, r);
      ++st.runs;
      if (r.hit) ++st.hits;
    }
  };
  for (auto how : {interference::cancel_between_iterations, interference::cancel_from_task,
                   interference::expire_at_iteration})
    for (std::size_t k = 1; k <= last; ++k) one(how, k, std::nullopt, "at iteration " + std::to_string(k));
  if (s.virtual_time) {
    const std::set<taskio::clock::duration> at(ref.times.begin(), ref.times.end());
    std::set<taskio::clock::duration> deadlines(at);
    for (auto it = at.begin(); std::next(it) != at.end(); ++it) deadlines.insert(*it + (*std::next(it) - *it) / 2);
    for (auto d : deadlines) {
      std::ostringstream where;
      where << "at " << std::chrono::duration<double>(d).count() << " s";
      one(interference::deadline_at_time, 0, taskio::clock::time_point(d), where.str());
    }
  }
  BOOST_TEST(st.hits > 0, "no interference reached the scenario");
  BOOST_TEST(no_leaks(), "LeakSanitizer found leaks (see its report above)");
  BOOST_TEST_MESSAGE(s.name << ": " << st.iterations << " iterations undisturbed, " << st.runs << " runs, "
                            << st.hits << " interrupted");
  return st;
}

}  // namespace taskio_test::reliability

#endif  // TASKIO_TEST_RELIABILITY_HARNESS_HPP
