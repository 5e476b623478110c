// Reliability: the randomized multi-thread stress test (label "stress"; its
// stem puts it in the "thread" label too, so CI runs it under ASan and
// TSan). Several loops, each run by its own thread, and several foreign
// threads exchanging work through run_coroutine_threadsafe,
// concurrent_future::cancel, task_ref::cancel_threadsafe, to_thread (whose
// functions reach other loops with run_coroutine_threadsafe) and
// call_soon_threadsafe, with random cancels, self-cancels (before and after
// the first suspension) and timeouts.
//
// Every job is checked: its coroutine ends exactly once, and its outcome is
// one of the kinds its recipe allows (a value, its own exception,
// cancelled_error, timeout_error). Every call_soon_threadsafe callback runs
// exactly once.
//
// Seeded: the seed is printed; TASKIO_STRESS_SEED=<n> replays a seed's
// choices (thread interleavings still vary). Bounded: TASKIO_STRESS_SECONDS
// (default 3) is how long the foreign threads keep submitting.
#include "../test_support.hpp"

#include <array>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <vector>

using namespace taskio_test;
using taskio::cancelled_error;

namespace {

constexpr std::size_t n_loops = 3;
constexpr std::size_t n_workers = 3;

std::chrono::milliseconds stress_duration() {
  const char* s = std::getenv("TASKIO_STRESS_SECONDS");
  return std::chrono::milliseconds(s ? std::max(1, std::atoi(s)) * 1000 : 3000);
}

std::uint64_t stress_seed() {
  if (const char* s = std::getenv("TASKIO_STRESS_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

/// A loop run by its own thread until stop().
struct loop_thread {
  taskio::runner runner{taskio::run_options{.handle_signals = false, .threads = 2}};
  asio::io_context::executor_type ex = runner.get_executor();
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ex);
  taskio::future<void> stop_signal{ex};
  std::thread thread{[this] { runner.run(stop_signal.async_wait()); }};

  void stop() {
    taskio::call_soon_threadsafe(ex, [s = stop_signal] { s.set_result(); });
    work.reset();
    thread.join();
    runner.close();
  }
};

/// What a job does.
enum class recipe : int {
  value,               // sleeps, returns its id
  fail,                // sleeps, throws
  self_cancel_first,   // cancels its own task before its first suspension, then sleeps
  self_cancel_return,  // cancels its own task and returns without suspending
  to_thread_hop,       // to_thread: the function runs a value job on another loop and waits
  to_thread_self,      // issue 11: to_thread -> run_coroutine_threadsafe(self-cancelling job).result()
  wait_for_timeout,    // wait_for(long sleep, short timeout): timeout_error
  wait_for_in_time,    // wait_for(short sleep, long timeout): the value
  published,           // publishes its task; a foreign thread may cancel_threadsafe it
  count
};

enum outcome_kind : unsigned { k_value = 1, k_error = 2, k_cancelled = 4, k_timeout = 8 };

struct job_record {
  std::atomic<int> ended{0};  // the coroutine's frame ended (finished or destroyed)
  recipe r{};
};

struct shared_state {
  std::array<std::unique_ptr<loop_thread>, n_loops> loops;
  std::deque<job_record> jobs;  // stable addresses
  std::mutex jobs_mutex;
  std::atomic<long> callbacks_posted{0}, callbacks_run{0};
  std::atomic<long> pool_calls{0};  // to_thread functions still running
  std::mutex published_mutex;
  std::vector<taskio::task_ref> published;

  job_record& new_job(recipe r, std::size_t& id) {
    std::lock_guard lock(jobs_mutex);
    id = jobs.size();
    jobs.emplace_back().r = r;
    return jobs.back();
  }
};

/// Counts the end of a job's coroutine frame, however it ends (finished, or
/// destroyed unstarted when its future was cancelled before the task began):
/// a parameter of the coroutine, so it lives in the frame.
struct end_guard {
  job_record* rec;
  explicit end_guard(job_record* r) noexcept : rec(r) {}
  end_guard(end_guard&& o) noexcept : rec(std::exchange(o.rec, nullptr)) {}
  ~end_guard() {
    if (rec) rec->ended.fetch_add(1);
  }
};

/// A plain value job (used by to_thread functions on another loop).
asio::awaitable<long> hop_job(long id, std::chrono::microseconds d) {
  co_await taskio::sleep(d);
  co_return id;
}

asio::awaitable<void> self_cancelling_then_return() {
  taskio::current_task().cancel("self");
  co_return;
}

asio::awaitable<long> job(shared_state& s, job_record& rec, long id, std::uint32_t rnd, end_guard) {
  const auto d = std::chrono::microseconds(rnd % 500);
  switch (rec.r) {
    case recipe::value: co_await taskio::sleep(d); co_return id;
    case recipe::fail: co_await taskio::sleep(d); throw std::runtime_error("job failed");
    case recipe::self_cancel_first:
      taskio::current_task().cancel("self");
      co_await taskio::sleep(d);
      co_return id;  // not reached: the request is delivered at the sleep
    case recipe::self_cancel_return:
      taskio::current_task().cancel("self");
      co_return id;  // the task still ends cancelled
    case recipe::to_thread_hop: {
      auto target = s.loops[(rnd >> 8) % n_loops]->ex;
      s.pool_calls.fetch_add(1);
      auto fn = [&s, target, id, d] {  // named: see doc/results.md (g++ 12)
        struct done {
          shared_state& s;
          ~done() { s.pool_calls.fetch_sub(1); }
        } g{s};
        return taskio::run_coroutine_threadsafe(hop_job(id, d), target).result();
      };
      co_return co_await taskio::to_thread(std::move(fn));
    }
    case recipe::to_thread_self: {
      auto ex = co_await asio::this_coro::executor;
      s.pool_calls.fetch_add(1);
      auto fn = [&s, ex] {  // named: see doc/results.md (g++ 12)
        struct done {
          shared_state& s;
          ~done() { s.pool_calls.fetch_sub(1); }
        } g{s};
        try {
          taskio::run_coroutine_threadsafe(self_cancelling_then_return(), ex).result();
          return false;
        } catch (const cancelled_error&) {
          return true;
        }
      };
      const bool cancelled = co_await taskio::to_thread(std::move(fn));
      if (!cancelled) throw std::logic_error("the self-cancelling task was not cancelled");
      co_return id;
    }
    case recipe::wait_for_timeout:
      co_await taskio::wait_for(taskio::sleep(std::chrono::seconds(60)), d + std::chrono::microseconds(1));
      co_return id;  // not reached
    case recipe::wait_for_in_time: co_return co_await taskio::wait_for(hop_job(id, d), std::chrono::seconds(60));
    case recipe::published: {
      {
        std::lock_guard lock(s.published_mutex);
        s.published.push_back(taskio::current_task());
      }
      co_await taskio::sleep(d * 4);
      co_return id;
    }
    case recipe::count: break;
  }
  co_return id;
}

/// The outcomes a job may end with, given whether someone cancelled it.
unsigned allowed(recipe r, bool cancel_requested) {
  unsigned a = 0;
  switch (r) {
    case recipe::value:
    case recipe::to_thread_hop:
    case recipe::to_thread_self:
    case recipe::wait_for_in_time:
    case recipe::published: a = k_value; break;
    case recipe::fail: a = k_error; break;
    case recipe::self_cancel_first:
    case recipe::self_cancel_return: a = k_cancelled; break;
    case recipe::wait_for_timeout: a = k_timeout; break;
    case recipe::count: break;
  }
  if (cancel_requested) a |= k_cancelled;
  return a;
}

struct worker_stats {
  long jobs = 0, cancels = 0, threadsafe_cancels = 0, mismatches = 0;
  std::array<long, 4> by_kind{};
  std::string first_mismatch;
};

void worker(shared_state& s, std::uint64_t seed, std::chrono::steady_clock::time_point until, worker_stats& st) {
  std::mt19937_64 rng(seed);
  while (std::chrono::steady_clock::now() < until) {
    const auto r = static_cast<recipe>(rng() % static_cast<int>(recipe::count));
    std::size_t id = 0;
    job_record& rec = s.new_job(r, id);
    loop_thread& lt = *s.loops[rng() % n_loops];
    const auto rnd = static_cast<std::uint32_t>(rng());

    s.callbacks_posted.fetch_add(1);
    taskio::call_soon_threadsafe(lt.ex, [&s] { s.callbacks_run.fetch_add(1); });

    auto f = taskio::run_coroutine_threadsafe(job(s, rec, static_cast<long>(id), rnd, end_guard(&rec)), lt.ex);
    bool cancel_requested = false;
    switch (rng() % 6) {
      case 0:  // cancel the concurrent future at a random moment
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 300));
        cancel_requested = f.cancel() || cancel_requested;
        ++st.cancels;
        break;
      case 1: {  // cancel a published task from this foreign thread
        taskio::task_ref victim;
        {
          std::lock_guard lock(s.published_mutex);
          if (!s.published.empty()) {
            victim = s.published.back();
            s.published.pop_back();
          }
        }
        if (victim) {
          victim.cancel_threadsafe("foreign");
          ++st.threadsafe_cancels;
        }
        break;
      }
      default: break;
    }
    // a published job may be cancelled by another worker at any time
    if (r == recipe::published) cancel_requested = true;

    unsigned got = 0;
    try {
      const long v = f.result(std::chrono::seconds(60));
      got = v == static_cast<long>(id) ? unsigned(k_value) : 0u;
    } catch (const cancelled_error&) {
      got = k_cancelled;
    } catch (const taskio::timeout_error&) {
      got = k_timeout;
    } catch (const std::runtime_error&) {
      got = k_error;
    } catch (...) {
      got = 0;
    }
    ++st.jobs;
    for (int k = 0; k < 4; ++k)
      if (got == (1u << k)) ++st.by_kind[k];
    if (!(got & allowed(r, cancel_requested))) {
      if (st.mismatches++ == 0)
        st.first_mismatch = "job " + std::to_string(id) + " recipe " + std::to_string(static_cast<int>(r)) +
                            " ended with kind " + std::to_string(got);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stress_threads)

BOOST_AUTO_TEST_CASE(random_cross_thread_work_every_job_ends_once_as_expected) {
  const std::uint64_t seed = stress_seed();
  const auto duration = stress_duration();
  std::cout << "stress_threads: TASKIO_STRESS_SEED=" << seed << " TASKIO_STRESS_SECONDS="
            << std::chrono::duration_cast<std::chrono::seconds>(duration).count() << std::endl;
  BOOST_TEST_MESSAGE("seed " << seed);

  shared_state s;
  for (auto& l : s.loops) l = std::make_unique<loop_thread>();
  const auto started = std::chrono::steady_clock::now();
  std::array<worker_stats, n_workers> stats;
  {
    std::vector<std::thread> workers;
    std::seed_seq seq{seed};
    std::array<std::uint64_t, n_workers> seeds;
    seq.generate(seeds.begin(), seeds.end());
    for (std::size_t i = 0; i < n_workers; ++i)
      workers.emplace_back(worker, std::ref(s), seeds[i], started + duration, std::ref(stats[i]));
    for (auto& w : workers) w.join();
  }
  // to_thread functions of cancelled jobs may still wait on other loops
  while (s.pool_calls.load() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  {
    std::lock_guard lock(s.published_mutex);
    s.published.clear();
  }
  for (auto& l : s.loops) l->stop();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  worker_stats total;
  for (const auto& st : stats) {
    total.jobs += st.jobs;
    total.cancels += st.cancels;
    total.threadsafe_cancels += st.threadsafe_cancels;
    total.mismatches += st.mismatches;
    for (int k = 0; k < 4; ++k) total.by_kind[k] += st.by_kind[k];
    if (total.first_mismatch.empty()) total.first_mismatch = st.first_mismatch;
  }
  std::cout << "stress_threads: " << total.jobs << " jobs in " << seconds << " s (values " << total.by_kind[0]
            << ", errors " << total.by_kind[1] << ", cancelled " << total.by_kind[2] << ", timeouts "
            << total.by_kind[3] << "; future cancels " << total.cancels << ", cancel_threadsafe "
            << total.threadsafe_cancels << ")" << std::endl;

  BOOST_TEST(total.jobs > 0);
  BOOST_TEST(total.mismatches == 0, total.first_mismatch);
  long not_once = 0;
  for (const auto& j : s.jobs)
    if (j.ended.load() != 1) ++not_once;
  BOOST_TEST(not_once == 0);  // every job's coroutine ended exactly once
  BOOST_TEST(s.callbacks_run.load() == s.callbacks_posted.load());
  BOOST_TEST(total.by_kind[2] > 0);  // the random cancels and self-cancels happened
  BOOST_TEST(total.by_kind[3] > 0);
}

BOOST_AUTO_TEST_SUITE_END()
