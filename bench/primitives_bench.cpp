//
// bench/primitives_bench.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio's synchronization primitives and queues, each beside a hand-written
// plain-Asio equivalent built on asio::experimental::channel, in the same
// run. One thread; the taskio side runs inside taskio::run (an
// io_context(1)), the Asio side in coroutines co_spawned on a fresh
// io_context(1). Only the measured window is timed (thread CPU time).
//
//   lock_uncontended   N x (acquire; release) in one task, the lock free.
//                      Asio: a channel<void(error_code)> of capacity 1
//                      holding one token: acquire = co_await async_receive,
//                      release = try_send.
//   lock_handoff       two tasks, each N/2 x (acquire; yield; release): the
//                      lock changes hands every time (FIFO). Asio: the token
//                      channel, two coroutines.
//   queue_pingpong     N round trips of an int between two tasks over two
//                      queues (put; get). Asio: two channels<void(error_code,
//                      int)> of capacity 1 (async_send; async_receive).
//   semaphore_contention  16 tasks share 4 slots, each N/16 x (acquire;
//                      yield; release). Asio: a channel of capacity 4 holding
//                      4 tokens.
//   "yield" is co_await asio::post(executor, use_awaitable) on both sides.
//   create_await       N x (create a task whose body returns at once; await
//                      it), lazy (task_options{.eager_start = false}) and
//                      eager (.eager_start = true). Asio: co_await
//                      co_spawn(ex, body, use_awaitable). One more line
//                      compares eager with lazy directly.
//
// Output: one line per figure, as bench/task_bench.cpp:
//   name=<id> value=<ns/op> unit=ns/op [ratio_vs=<asio id> ratio=<x>] n=<N> reps=<R> min=<> max=<>
//
// usage: primitives_bench [--quick] [--reps R]

#include <taskio.hpp>

#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <time.h>

namespace asio = boost::asio;
using token_channel = asio::experimental::channel<void(boost::system::error_code)>;
using int_channel = asio::experimental::channel<void(boost::system::error_code, int)>;

namespace {

double thread_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/// Times `body` between its start and its end.
struct window {
  double start = 0, ns = 0;
  void begin() { start = thread_ns(); }
  void end() { ns = thread_ns() - start; }
};

asio::awaitable<void> yield() { co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable); }

// --- taskio side ------------------------------------------------------------

asio::awaitable<void> t_lock_uncontended(int n, window& w) {
  taskio::lock l;
  w.begin();
  for (int i = 0; i < n; ++i) {
    co_await l.acquire();
    l.release();
  }
  w.end();
}

/// n x (acquire; yield; release) on a taskio::lock or semaphore.
template <class P>
asio::awaitable<void> t_user(P& p, int n) {
  for (int i = 0; i < n; ++i) {
    co_await p.acquire();
    co_await yield();
    p.release();
  }
}

asio::awaitable<void> t_lock_handoff(int n, window& w) {
  taskio::lock l;
  w.begin();
  auto a = taskio::create_task(t_user(l, n / 2));
  auto b = taskio::create_task(t_user(l, n / 2));
  co_await a.async_wait();
  co_await b.async_wait();
  w.end();
}

asio::awaitable<void> t_ping(taskio::queue<int>& out, taskio::queue<int>& in, int n) {
  for (int i = 0; i < n; ++i) {
    co_await out.put(i);
    (void)co_await in.get();
  }
}

asio::awaitable<void> t_pong(taskio::queue<int>& in, taskio::queue<int>& out, int n) {
  for (int i = 0; i < n; ++i) co_await out.put(co_await in.get());
}

asio::awaitable<void> t_queue_pingpong(int n, window& w) {
  taskio::queue<int> q1, q2;
  w.begin();
  auto a = taskio::create_task(t_ping(q1, q2, n));
  auto b = taskio::create_task(t_pong(q1, q2, n));
  co_await a.async_wait();
  co_await b.async_wait();
  w.end();
}

asio::awaitable<void> t_semaphore_contention(int n, window& w) {
  taskio::semaphore s(4);
  w.begin();
  std::vector<taskio::task<void>> tasks;
  for (int k = 0; k < 16; ++k) tasks.push_back(taskio::create_task(t_user(s, n / 16)));
  for (auto& t : tasks) co_await t.async_wait();
  w.end();
}

asio::awaitable<int> ready(int i) { co_return i; }

/// N x (create_task(ready) with `eager`; await it).
template <bool Eager>
asio::awaitable<void> t_create_await(int n, window& w) {
  long sum = 0;
  w.begin();
  for (int i = 0; i < n; ++i) {
    auto t = taskio::create_task(ready(i), {.eager_start = Eager});
    sum += co_await t.async_wait();
  }
  w.end();
  if (sum < 0) std::abort();  // keeps the loop
}

// --- Asio side ----------------------------------------------------------------

asio::awaitable<void> a_create_await(int n, window& w) {
  auto ex = co_await asio::this_coro::executor;
  long sum = 0;
  w.begin();
  for (int i = 0; i < n; ++i) sum += co_await asio::co_spawn(ex, ready(i), asio::use_awaitable);
  w.end();
  if (sum < 0) std::abort();
}

asio::awaitable<void> a_lock_uncontended(int n, window& w) {
  token_channel tokens(co_await asio::this_coro::executor, 1);
  tokens.try_send(boost::system::error_code{});
  w.begin();
  for (int i = 0; i < n; ++i) {
    co_await tokens.async_receive(asio::use_awaitable);
    tokens.try_send(boost::system::error_code{});
  }
  w.end();
}

asio::awaitable<void> a_token_user(token_channel& tokens, int n, bool yield_inside) {
  for (int i = 0; i < n; ++i) {
    co_await tokens.async_receive(asio::use_awaitable);
    if (yield_inside) co_await yield();
    tokens.try_send(boost::system::error_code{});
  }
}

asio::awaitable<void> a_token_contention(int users, std::size_t slots, int n, window& w) {
  auto ex = co_await asio::this_coro::executor;
  token_channel tokens(ex, slots);
  for (std::size_t i = 0; i < slots; ++i) tokens.try_send(boost::system::error_code{});
  w.begin();
  int left = users;
  token_channel done(ex, 1);
  for (int k = 0; k < users; ++k)
    asio::co_spawn(ex, a_token_user(tokens, n / users, true), [&](std::exception_ptr) {
      if (--left == 0) done.try_send(boost::system::error_code{});
    });
  co_await done.async_receive(asio::use_awaitable);
  w.end();
}

asio::awaitable<void> a_ping(int_channel& out, int_channel& in, int n) {
  for (int i = 0; i < n; ++i) {
    co_await out.async_send(boost::system::error_code{}, i, asio::use_awaitable);
    (void)co_await in.async_receive(asio::use_awaitable);
  }
}

asio::awaitable<void> a_pong(int_channel& in, int_channel& out, int n) {
  for (int i = 0; i < n; ++i)
    co_await out.async_send(boost::system::error_code{}, co_await in.async_receive(asio::use_awaitable),
                            asio::use_awaitable);
}

asio::awaitable<void> a_queue_pingpong(int n, window& w) {
  auto ex = co_await asio::this_coro::executor;
  int_channel c1(ex, 1), c2(ex, 1);
  w.begin();
  int left = 2;
  token_channel done(ex, 1);
  auto finish = [&](std::exception_ptr) {
    if (--left == 0) done.try_send(boost::system::error_code{});
  };
  asio::co_spawn(ex, a_ping(c1, c2, n), finish);
  asio::co_spawn(ex, a_pong(c1, c2, n), finish);
  co_await done.async_receive(asio::use_awaitable);
  w.end();
}

// --- driver -------------------------------------------------------------------

double run_taskio(const std::function<asio::awaitable<void>(int, window&)>& f, int n) {
  window w;
  taskio::run(f(n, w), {.handle_signals = false});
  return w.ns / n;
}

double run_asio(const std::function<asio::awaitable<void>(int, window&)>& f, int n) {
  window w;
  asio::io_context io(1);
  asio::co_spawn(io, f(n, w), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  return w.ns / n;
}

struct stats {
  double median, min, max;
};
stats summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

using side = std::function<asio::awaitable<void>(int, window&)>;

/// The median of `reps` runs of each side (sides alternate, after one
/// warm-up run each).
std::vector<stats> measure(int n, int reps, const side& a, const std::vector<side>& ts) {
  run_asio(a, n / 10);  // warm-up
  for (const auto& t : ts) run_taskio(t, n / 10);
  std::vector<double> as;
  std::vector<std::vector<double>> tss(ts.size());
  for (int r = 0; r < reps; ++r) {
    as.push_back(run_asio(a, n));
    for (std::size_t k = 0; k < ts.size(); ++k) tss[k].push_back(run_taskio(ts[k], n));
  }
  std::vector<stats> out{summarize(as)};
  for (auto& v : tss) out.push_back(summarize(v));
  return out;
}

void print_line(const std::string& name, const stats& s, const std::string& base, double base_value, int n, int reps) {
  std::printf("name=%s value=%.1f unit=ns/op", name.c_str(), s.median);
  if (!base.empty()) std::printf(" ratio_vs=%s ratio=%.3f", base.c_str(), s.median / base_value);
  std::printf(" n=%d reps=%d min=%.1f max=%.1f\n", n, reps, s.min, s.max);
  std::fflush(stdout);
}

/// One figure: asio_<name>, then taskio_<name> with its ratio.
void figure(const std::string& name, int n, int reps, const side& t, const side& a) {
  const auto st = measure(n, reps, a, {t});
  print_line("asio_" + name, st[0], "", 0, n, reps);
  print_line("taskio_" + name, st[1], "asio_" + name, st[0].median, n, reps);
}

/// create + await of a task that does not suspend: lazy, eager, co_spawn.
void eager_figure(int n, int reps) {
  const auto st = measure(n, reps, a_create_await, {t_create_await<false>, t_create_await<true>});
  print_line("asio_create_await_ready", st[0], "", 0, n, reps);
  print_line("taskio_create_await_ready_lazy", st[1], "asio_create_await_ready", st[0].median, n, reps);
  print_line("taskio_create_await_ready_eager", st[2], "asio_create_await_ready", st[0].median, n, reps);
  print_line("taskio_create_await_ready_eager_vs_lazy", st[2], "taskio_create_await_ready_lazy", st[1].median, n,
             reps);
}

}  // namespace

int main(int argc, char** argv) {
  int scale = 100000, reps = 5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      scale = 10000;
      reps = 3;
    } else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: primitives_bench [--quick] [--reps R]\n");
      return 2;
    }
  }
  figure("lock_uncontended", 10 * scale, reps, t_lock_uncontended, a_lock_uncontended);
  figure("lock_handoff", scale, reps, t_lock_handoff,
         [](int n, window& w) { return a_token_contention(2, 1, n, w); });
  figure("queue_pingpong", scale, reps, t_queue_pingpong, a_queue_pingpong);
  figure("semaphore_contention", scale, reps, t_semaphore_contention,
         [](int n, window& w) { return a_token_contention(16, 4, n, w); });
  eager_figure(2 * scale, reps);
  return 0;
}
