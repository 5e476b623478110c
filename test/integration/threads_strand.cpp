// Integration test: one io_context run by 4 threads, tasks on strands.
//
// Eight parent tasks, each on its own strand, create children (default: on
// the parent's strand), gather them, read to_thread results in completion
// order, and cancel long sleepers of a neighbour parent (another strand)
// with task_ref::cancel_threadsafe. Foreign threads meanwhile submit jobs
// with run_coroutine_threadsafe and cancel some through their
// concurrent_future. Everything is checked on the test thread (Boost.Test
// is not thread-safe). Built with -fsanitize=thread in CI (label `thread`).
#include <taskio.hpp>
#include <taskio/threadsafe.hpp>
#include <taskio/to_thread.hpp>

#include "../concurrency_support.hpp"  // threaded_loop

#include <atomic>
#include <map>
#include <numeric>
#include <thread>

using namespace taskio_test;

namespace {

constexpr int parents = 8;
constexpr int children = 20;
constexpr int victims = 5;

/// Victims published by each parent, for its neighbour to cancel.
class registry {
public:
  void publish(int parent, std::vector<taskio::task_ref> ts) {
    std::lock_guard lock(m_);
    published_[parent] = std::move(ts);
  }
  std::optional<std::vector<taskio::task_ref>> get(int parent) {
    std::lock_guard lock(m_);
    auto it = published_.find(parent);
    if (it == published_.end()) return std::nullopt;
    return it->second;
  }

private:
  std::mutex m_;
  std::map<int, std::vector<taskio::task_ref>> published_;
};

struct report {
  int gathered = 0;
  int as_completed = 0;
  int victims_cancelled = 0;
  std::size_t victims_pending = 0;
  bool on_strand = true;
};

asio::awaitable<int> child(int i, int j) {
  co_await taskio::sleep(std::chrono::milliseconds(j % 3));
  if (j % 4 == 0) co_return co_await taskio::to_thread([i, j] { return i * j; });
  co_return i * j;
}

asio::awaitable<report> parent(int i, registry& reg, asio::strand<asio::io_context::executor_type> strand) {
  report r;
  std::vector<taskio::task<int>> kids;
  for (int j = 0; j < children; ++j) kids.push_back(taskio::create_task(child(i, j)));

  std::vector<taskio::task<void>> mine;
  std::vector<taskio::task_ref> refs;
  for (int v = 0; v < victims; ++v) {
    mine.push_back(taskio::create_task(taskio::sleep(1h)));
    refs.push_back(mine.back());
  }
  reg.publish(i, refs);

  // Cancel the neighbour's victims (they run on another strand).
  std::optional<std::vector<taskio::task_ref>> theirs;
  for (int tries = 0; !(theirs = reg.get((i + 1) % parents)) && tries < 30000; ++tries)
    co_await taskio::sleep(std::chrono::milliseconds(1));
  if (theirs)
    for (const auto& t : *theirs) t.cancel_threadsafe("from parent " + std::to_string(i));

  std::vector<int> values = co_await taskio::gather(std::move(kids));
  r.gathered = std::accumulate(values.begin(), values.end(), 0);
  r.on_strand = r.on_strand && strand.running_in_this_thread();

  std::vector<asio::awaitable<int>> aws;
  for (int k = 1; k <= 4; ++k) aws.push_back(taskio::to_thread([k] { return k; }));
  for (auto&& next : taskio::as_completed(std::move(aws))) {
    r.as_completed += co_await std::move(next);
    r.on_strand = r.on_strand && strand.running_in_this_thread();
  }

  auto [done, pending] = co_await taskio::wait(mine, {.timeout = bound});
  for (const auto& t : done) r.victims_cancelled += t.cancelled() ? 1 : 0;
  r.victims_pending = pending.size();
  co_return r;
}

asio::awaitable<int> foreign_job(int n) {
  co_await taskio::sleep(0s);
  co_return co_await taskio::to_thread([n] { return 2 * n; });
}

asio::awaitable<int> long_job() {
  co_await taskio::sleep(1h);
  co_return 0;
}

/// Waits until the only task left is this one.
asio::awaitable<std::size_t> quiescent() {
  for (int tries = 0; taskio::all_tasks().size() > 1 && tries < 60000; ++tries)
    co_await taskio::sleep(std::chrono::milliseconds(1));
  co_return taskio::all_tasks().size() - 1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(threads_strand)

BOOST_AUTO_TEST_CASE(tasks_on_strands_of_a_four_thread_io_context) {
  threaded_loop loop(4);
  registry reg;
  std::vector<asio::strand<asio::io_context::executor_type>> strands;
  for (int i = 0; i < parents; ++i) strands.push_back(asio::make_strand(loop.io));

  std::vector<taskio::concurrent_future<report>> reports;
  for (int i = 0; i < parents; ++i)
    reports.push_back(taskio::run_coroutine_threadsafe(parent(i, reg, strands[i]), strands[i]));

  // Foreign threads submit jobs to the strands; every fifth is a long one,
  // cancelled through its concurrent_future (the quiescence check at the
  // end shows the cancellation reached the task).
  std::atomic<int> wrong{0}, cancelled{0}, completed{0};
  std::vector<std::thread> foreign;
  for (int f = 0; f < 2; ++f)
    foreign.emplace_back([&, f] {
      for (int n = f * 1000; n < f * 1000 + 100; ++n) {
        auto& strand = strands[n % parents];
        if (n % 5 == 0) {
          auto cf = taskio::run_coroutine_threadsafe(long_job(), strand);
          if (cf.cancel() && cf.cancelled()) ++cancelled;
          continue;
        }
        auto cf = taskio::run_coroutine_threadsafe(foreign_job(n), strand);
        try {
          if (cf.result(bound) == 2 * n)
            ++completed;
          else
            ++wrong;
        } catch (...) {
          ++wrong;
        }
      }
    });

  for (int i = 0; i < parents; ++i) {
    report r = reports[i].result(bound);
    int expected = 0;
    for (int j = 0; j < children; ++j) expected += i * j;
    BOOST_TEST(r.gathered == expected);
    BOOST_TEST(r.as_completed == 1 + 2 + 3 + 4);
    BOOST_TEST(r.victims_cancelled == victims);
    BOOST_TEST(r.victims_pending == 0u);
    BOOST_TEST(r.on_strand);
  }
  for (auto& t : foreign) t.join();
  BOOST_TEST(wrong == 0);
  BOOST_TEST(completed == 160);
  BOOST_TEST(cancelled == 40);
  BOOST_TEST(taskio::run_coroutine_threadsafe(quiescent(), strands[0]).result(bound) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
