// Integration test (issue 18, part 1): everything a task schedules runs on
// the task's own executor. One io_context run by 4 threads; jobs on strands
// loop over a timeout primitive with random microsecond delays (seeded), so
// deadlines expire at every possible point of the awaited work: before it
// started, while it sleeps, as it completes, and just after its scope exited.
//
// Before the fix, a scope's deadline callback ran on the bare io_context
// executor, i.e. on any of the 4 threads, and cancelled the job concurrently
// with its own steps and with the scope's exit: "empty task handle" errors,
// data races (TSan), crashes, and jobs cancelled by a deadline that fired
// after its scope had exited. Expected: every iteration ends with its value
// or a timeout_error, every step runs on the job's strand, no job is
// cancelled, and shielded work is never cancelled.
//
// TASKIO_STRAND_SECONDS=<n> runs each scenario for n seconds (wall clock)
// instead of a fixed number of iterations; TASKIO_STRAND_SEED=<n> changes
// the seed. Built with -fsanitize=thread in CI (label `thread`).
#include <taskio.hpp>
#include <taskio/threadsafe.hpp>

#include "../concurrency_support.hpp"  // threaded_loop, is_timeout, ...

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>

using namespace taskio_test;

namespace {

using strand_type = asio::strand<asio::io_context::executor_type>;

constexpr int jobs = 8;
constexpr int iterations = 400;                   // per job, without TASKIO_STRAND_SECONDS

long env_number(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

/// What the jobs saw, checked on the test thread (Boost.Test is not
/// thread-safe).
struct tally {
  std::atomic<long> completed{0};
  std::atomic<long> timed_out{0};
  std::atomic<long> off_strand{0};
  std::mutex m;
  std::vector<std::string> errors;

  void error(std::string what) {
    std::lock_guard lock(m);
    if (errors.size() < 20) errors.push_back(std::move(what));
  }
  /// Counts the outcome of one iteration: none, or a timeout_error (with
  /// the cancellation nested); anything else is an error.
  void outcome(const std::exception_ptr& e, const char* scenario) {
    if (!e)
      ++completed;
    else if (is_timeout(e))
      ++timed_out;
    else
      error(std::string(scenario) + ": unexpected " + describe(e));
  }
  static std::string describe(const std::exception_ptr& e) {
    if (is_cancelled(e)) return "cancelled_error '" + cancel_message(e) + "'";
    const std::string text = error_text(e);
    return text.empty() ? "non-std exception" : "exception: " + text;
  }
};

enum class scenario { timeout, task_group, wait_for, shield };

const char* name(scenario s) {
  switch (s) {
    case scenario::timeout: return "timeout";
    case scenario::task_group: return "task_group";
    case scenario::wait_for: return "wait_for";
    case scenario::shield: return "shield";
  }
  return "?";
}

asio::awaitable<int> sleep_value(std::chrono::microseconds d, int v) {
  co_await taskio::sleep(d);
  co_return v;
}

/// A task group child with a deadline of its own. The group's cancellation
/// (the outer deadline expired) propagates as it is.
asio::awaitable<void> child_with_deadline(std::chrono::microseconds d, std::chrono::microseconds d2, tally& t) {
  const std::exception_ptr e = co_await catch_exception(taskio::timeout(d, taskio::sleep(d2)));
  if (is_cancelled(e)) std::rethrow_exception(e);
  t.outcome(e, "task_group child");
}

asio::awaitable<void> group_body(std::chrono::microseconds d, std::chrono::microseconds d2, tally& t) {
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(taskio::sleep(d2));
    tg.create_task(child_with_deadline(d / 2, d2, t));
    co_return;
  });
}

/// One iteration of `s` with a deadline `d` around work lasting `d2`.
asio::awaitable<void> iteration(scenario s, std::chrono::microseconds d, std::chrono::microseconds d2, tally& t) {
  switch (s) {
    case scenario::timeout:
      t.outcome(co_await catch_exception(taskio::timeout(d, taskio::sleep(d2))), "timeout");
      break;
    case scenario::task_group:
      t.outcome(co_await catch_exception(taskio::timeout(d, group_body(d, d2, t))), "task_group");
      break;
    case scenario::wait_for: {
      auto work = taskio::create_task(sleep_value(d2, 7));
      t.outcome(co_await catch_exception(taskio::wait_for(work, d)), "wait_for");
      if (!work.done()) t.error("wait_for: the inner task is still pending after wait_for returned");
      break;
    }
    case scenario::shield: {
      auto work = taskio::create_task(sleep_value(d2, 7));
      t.outcome(co_await catch_exception(taskio::timeout(d, taskio::shield(work))), "shield");
      const std::exception_ptr e = co_await catch_exception(work.async_wait());
      if (e || work.cancelling() != 0) t.error("shield: the shielded task was cancelled: " + tally::describe(e));
      break;
    }
  }
}

/// A job: `rounds` iterations (or until `until`, when set), each followed by
/// a bare yield outside any scope, where a stale deadline would land.
asio::awaitable<void> job(scenario s, unsigned seed, long rounds, std::chrono::steady_clock::time_point until,
                          bool timed, strand_type strand, tally& t) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> micros(0, 100);
  for (long i = 0; timed ? std::chrono::steady_clock::now() < until : i < rounds; ++i) {
    const std::chrono::microseconds d(micros(rng)), d2(micros(rng));
    co_await iteration(s, d, d2, t);
    if (!strand.running_in_this_thread()) ++t.off_strand;
    co_await taskio::sleep(0s);
    if (!strand.running_in_this_thread()) ++t.off_strand;
  }
  if (const int c = taskio::current_task().cancelling(); c != 0)
    t.error(std::string(name(s)) + ": the job ends with cancelling() == " + std::to_string(c));
}

/// Runs `jobs` jobs of scenario `s` on strands of a 4-thread io_context.
void run_scenario(scenario s) {
  const unsigned seed = static_cast<unsigned>(env_number("TASKIO_STRAND_SEED", 18));
  const long seconds = env_number("TASKIO_STRAND_SECONDS", 0);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  BOOST_TEST_MESSAGE(name(s) << ": seed " << seed << ", " << jobs << " jobs on strands, 4 threads");

  tally t;
  {
    threaded_loop loop(4);
    std::vector<taskio::concurrent_future<void>> running;
    for (int j = 0; j < jobs; ++j) {
      strand_type strand = asio::make_strand(loop.io);
      running.push_back(taskio::run_coroutine_threadsafe(
          job(s, seed + static_cast<unsigned>(j), iterations, until, seconds > 0, strand, t), strand));
    }
    for (auto& f : running) {
      try {
        f.result(bound);
      } catch (...) {
        t.error(std::string(name(s)) + ": a job ended with " + tally::describe(std::current_exception()));
      }
    }
  }
  BOOST_TEST_MESSAGE(name(s) << ": " << t.completed << " completed, " << t.timed_out << " timed out");
  for (const auto& e : t.errors) BOOST_ERROR(e);
  BOOST_TEST(t.errors.empty());
  BOOST_TEST(t.off_strand == 0);
  // Both outcomes occur: the delays put deadlines on both sides of the work.
  BOOST_TEST(t.completed > 0);
  BOOST_TEST(t.timed_out > 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(strand_timeout_threads)

BOOST_AUTO_TEST_CASE(timeout_scopes_on_strands_expire_on_their_task_strand) { run_scenario(scenario::timeout); }

BOOST_AUTO_TEST_CASE(task_groups_under_timeouts_on_strands) { run_scenario(scenario::task_group); }

BOOST_AUTO_TEST_CASE(wait_for_on_strands) { run_scenario(scenario::wait_for); }

BOOST_AUTO_TEST_CASE(shield_under_timeouts_on_strands) { run_scenario(scenario::shield); }

BOOST_AUTO_TEST_SUITE_END()
