//
// bench/context_bench.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// What context variables cost on the hot paths (doc/benchmarks.md, "Context
// variables"). Two figures, each measured with no context variable set
// ("without": every task's context is empty) and with one set in main
// ("with": every new task shares main's variables, and the measured task
// reads the variable in every step):
//
//   create_await  create a task running a trivial coroutine and await it
//   steps         one task yielding (sleep(0)) N times: one step per yield
//
// Every sample runs in the same process, the sides alternating, after one
// unmeasured warm-up run of each; CPU time of the thread
// (CLOCK_THREAD_CPUTIME_ID) per operation; the median of REPS samples.
// Output: `#` detail lines, then ONE machine-readable line:
//
//   context_bench create_await_ns=<without>/<with> ratio=<with/without> steps_ns=<without>/<with> ratio=<with/without>
//
// Usage: bench_context_bench [N] [REPS]   (defaults 200000 and 7)

#include <taskio.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace asio = boost::asio;

namespace {

taskio::context_var<std::string> request_id("request_id", "-");

double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

asio::awaitable<int> child(int i) { co_return i; }

asio::awaitable<double> create_await(std::size_t n) {
  long long sum = 0;
  const double t0 = cpu_ns();
  for (std::size_t i = 0; i < n; ++i) sum += co_await taskio::create_task(child(static_cast<int>(i))).async_wait();
  const double t1 = cpu_ns();
  if (sum != static_cast<long long>(n) * static_cast<long long>(n - 1) / 2) std::abort();
  co_return (t1 - t0) / static_cast<double>(n);
}

asio::awaitable<std::size_t> yielder(std::size_t n) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < n; ++i) {
    co_await taskio::sleep(std::chrono::nanoseconds(0));
    chars += request_id.get().size();  // what a logging call would do
  }
  co_return chars;
}

asio::awaitable<double> steps(std::size_t n) {
  const double t0 = cpu_ns();
  std::size_t chars = co_await taskio::create_task(yielder(n)).async_wait();
  const double t1 = cpu_ns();
  if (chars == 0) std::abort();
  co_return (t1 - t0) / static_cast<double>(n);
}

/// One sample of `figure` on a fresh loop, with or without request_id set.
double sample(asio::awaitable<double> (*figure)(std::size_t), std::size_t n, bool with_var) {
  auto main = [](asio::awaitable<double> (*f)(std::size_t), std::size_t n, bool with) -> asio::awaitable<double> {
    if (with) request_id.set("req-42");
    co_return co_await f(n);
  };
  return taskio::run(main(figure, n, with_var), {.handle_signals = false});
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct result {
  double without, with;
};

result measure(const char* name, asio::awaitable<double> (*figure)(std::size_t), std::size_t n, int reps) {
  sample(figure, n / 10, false);  // warm-up
  sample(figure, n / 10, true);
  std::vector<double> a, b;
  for (int r = 0; r < reps; ++r) {
    a.push_back(sample(figure, n, false));
    b.push_back(sample(figure, n, true));
  }
  result res{median(a), median(b)};
  std::printf("# %s: without %.1f ns/op (min %.1f max %.1f), with %.1f ns/op (min %.1f max %.1f), %d samples of %zu\n",
              name, res.without, *std::min_element(a.begin(), a.end()), *std::max_element(a.begin(), a.end()),
              res.with, *std::min_element(b.begin(), b.end()), *std::max_element(b.begin(), b.end()), reps, n);
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200000;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 7;
  const result ca = measure("create_await", create_await, n, reps);
  const result st = measure("steps", steps, n, reps);
  std::printf("context_bench create_await_ns=%.1f/%.1f ratio=%.3f steps_ns=%.1f/%.1f ratio=%.3f\n", ca.without,
              ca.with, ca.with / ca.without, st.without, st.with, st.with / st.without);
}
