//
// bench/task_bench/harness.cpp
//
// Distributed under the Boost Software License, Version 1.0.

// The one translation unit that interposes the C allocator in the counting
// build (alloc_count.hpp).
#define BENCH_ALLOC_COUNT_INTERPOSE
#include "harness.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

namespace bench {

// ---------------------------------------------------------------------------
// measurement

double thread_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

long minor_faults() {
  rusage ru{};
  ::getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_minflt;
}

long long rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string key;
  while (f >> key) {
    if (key == "VmRSS:") {
      long long kb = 0;
      f >> kb;
      return kb * 1024;
    }
    f.ignore(1 << 12, '\n');
  }
  return -1;
}

void window::start() {
  a0 = allocs_now();
  faults0 = minor_faults();
  t0 = clk::now();
  cpu0 = thread_cpu_ns();
  BENCH_TOGGLE_COLLECT();
}

void window::stop() {
  BENCH_TOGGLE_COLLECT();
  const double cpu1 = thread_cpu_ns();
  const auto t1 = clk::now();
  const double dn = static_cast<double>(n);
  out->faults_per_op = static_cast<double>(minor_faults() - faults0) / dn;
  out->heap = per_op(a0, allocs_now(), n);
  out->ns_per_op = (cpu1 - cpu0 - excluded_cpu) / dn;
  out->wall_ns_per_op = (std::chrono::duration<double, std::nano>(t1 - t0).count() - excluded_wall) / dn;
}

void fail(const char* what) {
  std::fprintf(stderr, "task_bench: %s\n", what);
  std::exit(2);
}

void report_and_exit(const sample& s) {
  std::printf("sample cpu=%.3f wall=%.3f faults=%.4f allocs=%.4f live=%.2f in_use=%.2f rss=%.2f p_allocs=%.4f "
              "p_live=%.2f p_in_use=%.2f p_rss=%.2f\n",
              s.ns_per_op, s.wall_ns_per_op, s.faults_per_op, s.heap.allocs, s.heap.live, s.heap.in_use, s.rss_per_op,
              s.parked.allocs, s.parked.live, s.parked.in_use, s.parked_rss);
  std::fflush(stdout);
  std::_Exit(0);
}

// ---------------------------------------------------------------------------
// shared workloads

asio::awaitable<int> child(int i) { co_return i; }

asio::awaitable<void> asio_create_await(std::size_t n, sample& s) {
  auto ex = co_await asio::this_coro::executor;
  long long sum = 0;
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) sum += co_await asio::co_spawn(ex, child(static_cast<int>(i)), asio::use_awaitable);
  w.stop();
  check(sum == triangle(n), "asio_create_await: bad checksum");
}

asio::awaitable<void> asio_sleeper(park_counters& c) {
  asio::steady_timer timer(co_await asio::this_coro::executor, parked_for);
  ++c.suspended;
  co_await timer.async_wait(asio::use_awaitable);  // cancelled: throws operation_aborted
  ++c.completed;
}

asio::awaitable<void> taskio_sleeper(park_counters& c) {
  ++c.suspended;
  co_await taskio::sleep(parked_for);  // cancelled: throws cancelled_error
  ++c.completed;
}

// ---------------------------------------------------------------------------
// the driver: every sample runs in a fresh child process (this executable,
// `--sample KEY N`), so no sample inherits the heap state (free lists,
// trimmed or cached memory) left by another; a warm-up run of the same side
// at the same N precedes the measured one (except for mem, which measures
// RSS growth from a fresh heap, and timeouts, whose 10^6 samples are long).

void run_sample(const std::vector<const figure_def*>& figures, const std::string& key, std::size_t n, bool warmup) {
  for (const figure_def* f : figures) {
    for (const auto& [k, run] : f->sides) {
      if (k != key) continue;
      if (warmup) run(n);
      report_and_exit(run(n));
    }
  }
  fail(("unknown sample key " + key).c_str());
}

namespace {

/// Parent: runs one sample of `key` in a child process.
sample child_sample(const std::string& key, std::size_t n, bool warmup) {
  char self[4096];
  const ssize_t len = ::readlink("/proc/self/exe", self, sizeof self - 1);
  check(len > 0, "readlink /proc/self/exe failed");
  self[len] = '\0';
  const std::string cmd = std::string("'") + self + "' --sample " + key + " " + std::to_string(n) +
                          (warmup ? " --warmup" : "");
  FILE* p = ::popen(cmd.c_str(), "r");
  check(p != nullptr, "popen failed");
  sample s;
  const int got = std::fscanf(p,
                              "sample cpu=%lf wall=%lf faults=%lf allocs=%lf live=%lf in_use=%lf rss=%lf "
                              "p_allocs=%lf p_live=%lf p_in_use=%lf p_rss=%lf",
                              &s.ns_per_op, &s.wall_ns_per_op, &s.faults_per_op, &s.heap.allocs, &s.heap.live,
                              &s.heap.in_use, &s.rss_per_op, &s.parked.allocs, &s.parked.live, &s.parked.in_use,
                              &s.parked_rss);
  const int rc = ::pclose(p);
  if (got != 11 || rc != 0) fail(("sample process failed: " + cmd).c_str());
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

std::string fmt(double x) {
  char buf[64];
  if (std::isinf(x)) return "inf";
  std::snprintf(buf, sizeof buf, std::fabs(x) >= 100 ? "%.1f" : "%.3f", x);
  return buf;
}

/// "_1m", "_100k", "_2500".
std::string count_tag(std::size_t n) {
  if (n % 1000000 == 0) return "_" + std::to_string(n / 1000000) + "m";
  if (n % 1000 == 0) return "_" + std::to_string(n / 1000) + "k";
  return "_" + std::to_string(n);
}

}  // namespace

std::size_t options::scaled(std::size_t n) const {
  return std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(n) * scale));
}

std::string options::tag(std::size_t n) const {
  return (counting_allocs ? std::string() : count_tag(n)) + (cold ? "_cold" : "");
}

const metric cpu_time{"", "ns/op", [](const sample& s) { return s.ns_per_op; }};
const metric wall_time{"_wall", "ns/op", [](const sample& s) { return s.wall_ns_per_op; }, "# "};
const metric faults{"_faults", "faults/op", [](const sample& s) { return s.faults_per_op; }, "# "};
const metric allocs{"_allocs", "allocs/task", [](const sample& s) { return s.heap.allocs; }};

std::vector<metric> timed_metrics() {
  return counting_allocs ? std::vector<metric>{allocs} : std::vector<metric>{cpu_time, wall_time, faults};
}

void print_figure(const char* prefix, const std::string& name, const std::vector<double>& v, const char* unit,
                  std::size_t n, const std::string& base_name, double base) {
  const double med = median(v);
  std::string line = prefix + std::string("name=") + name + " value=" + fmt(med) + " unit=" + unit;
  if (!base_name.empty()) {
    const double ratio = base != 0 ? med / base : (med == 0 ? 1.0 : INFINITY);
    line += " ratio_vs=" + base_name + " ratio=" + fmt(ratio);
  }
  line += " n=" + std::to_string(n) + " reps=" + std::to_string(v.size()) + " min=" +
          fmt(*std::min_element(v.begin(), v.end())) + " max=" + fmt(*std::max_element(v.begin(), v.end()));
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

std::map<std::string, double> figure(const options& o, const std::string& id, const std::vector<std::string>& keys,
                                     const std::string& tag, std::size_t n, const std::vector<metric>& metrics,
                                     bool warmup, int max_reps) {
  warmup = warmup && !o.cold;
  const int reps = max_reps > 0 ? std::min(o.reps, max_reps) : o.reps;
  if (!o.only.empty()) {
    bool wanted = (id + tag).find(o.only) != std::string::npos;
    for (const auto& k : keys) wanted = wanted || k.find(o.only) != std::string::npos;
    if (!wanted) return {};
  }
  std::vector<std::vector<sample>> got(keys.size());
  const auto began = clk::now();
  for (int r = 0; r < reps; ++r) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const std::size_t i = r % 2 ? keys.size() - 1 - k : k;  // alternate the order
      got[i].push_back(child_sample(keys[i], n, warmup));
      if (o.verbose) {
        const sample& x = got[i].back();
        std::printf("# sample %s%s rep=%d cpu_ns=%.1f wall_ns=%.1f faults=%.3f allocs=%.3f live=%.1f in_use=%.1f "
                    "rss=%.1f parked_in_use=%.1f\n",
                    keys[i].c_str(), tag.c_str(), r, x.ns_per_op, x.wall_ns_per_op, x.faults_per_op, x.heap.allocs,
                    x.heap.live, x.heap.in_use, x.rss_per_op, x.parked.in_use);
      }
    }
  }
  std::fprintf(stderr, "[task_bench] %s%s n=%zu reps=%d: %.0f s\n", id.c_str(), tag.c_str(), n, reps,
               std::chrono::duration<double>(clk::now() - began).count());
  auto values = [&](std::size_t i, const metric& m) {
    std::vector<double> v;
    for (const auto& s : got[i]) v.push_back(m.of(s));
    return v;
  };
  std::size_t base = 0;  // the fastest baseline (by the first metric)
  for (std::size_t i = 1; i < keys.size(); ++i)
    if (keys[i].rfind("asio_", 0) == 0 && median(values(i, metrics[0])) < median(values(base, metrics[0]))) base = i;
  std::map<std::string, double> medians;
  for (const auto& m : metrics) {
    const std::string base_name = keys[base] + tag + m.suffix;
    const auto bv = values(base, m);
    print_figure(m.prefix, base_name, bv, m.unit, n);
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (i != base) print_figure(m.prefix, keys[i] + tag + m.suffix, values(i, m), m.unit, n, base_name, median(bv));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) medians[keys[i] + tag] = median(values(i, metrics[0]));
  return medians;
}

}  // namespace bench
