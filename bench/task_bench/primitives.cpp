//
// bench/task_bench/primitives.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The synchronization primitives and the queue, each beside hand-written
// plain-Asio equivalents (the faster one is the baseline):
//
//   lock_uncontended  N x (acquire; release) in one task, the lock free.
//                     taskio::lock; Asio: `_channel`, a
//                     channel<void(error_code)> of capacity 1 holding one
//                     token (acquire = co_await async_receive, release =
//                     try_send), and `_waitq`, hand_semaphore(1) below.
//   lock_handoff      two tasks, each N/2 x (acquire; yield; release): the
//                     lock changes hands at every release (FIFO). Same
//                     equivalents, two co_spawned coroutines.
//   semaphore         16 tasks share 4 slots, each N/16 x (acquire; yield;
//                     release). taskio::semaphore(4); Asio: a token channel
//                     of capacity 4 holding 4 tokens, and hand_semaphore(4).
//   queue_pingpong    N round trips of an int between two tasks over two
//                     queues (put; get). taskio::queue<int>; Asio: two
//                     experimental::channel<void(error_code, int)> of
//                     capacity 1 (async_send; async_receive).
//
// "yield" is `co_await asio::post(asio::use_awaitable)` on both sides. A
// figure's window runs from before the first task is created until the last
// one finished (taskio: awaited by main; Asio: the last completion handler
// closes the window).

#include "harness.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/experimental/channel.hpp>

#include <deque>
#include <memory>
#include <type_traits>
#include <vector>

namespace bench {

namespace {

using error_code = boost::system::error_code;
using token_channel = asio::experimental::channel<void(error_code)>;
using int_channel = asio::experimental::channel<void(error_code, int)>;

/// What a plain-Asio program writes without a library: a counter and a FIFO
/// of waiting completion handlers; release() hands the slot to the first
/// waiter, posting its handler to the waiter's executor (never resuming it
/// inside release). As a lock: one slot.
class hand_semaphore {
public:
  hand_semaphore(const asio::any_io_executor&, std::size_t slots) : free_(slots) {}

  asio::awaitable<void> acquire() {
    if (free_ > 0) {
      --free_;
      co_return;
    }
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
        [this](auto h) {
          auto ex = asio::get_associated_executor(h);
          waiters_.push_back({std::move(ex), std::move(h)});
        },
        asio::use_awaitable);
  }

  void release() {
    if (waiters_.empty()) {
      ++free_;
      return;
    }
    auto w = std::move(waiters_.front());  // the slot passes to it
    waiters_.pop_front();
    asio::post(w.ex, [h = std::move(w.handler)]() mutable { std::move(h)(); });
  }

private:
  struct waiter {
    asio::any_io_executor ex;
    asio::any_completion_handler<void()> handler;
  };
  std::size_t free_;
  std::deque<waiter> waiters_;
};

/// A token channel holding `slots` tokens: acquire = receive one, release =
/// put it back.
class channel_semaphore {
public:
  channel_semaphore(const asio::any_io_executor& ex, std::size_t slots) : tokens_(ex, slots) {
    for (std::size_t i = 0; i < slots; ++i) tokens_.try_send(error_code{});
  }
  asio::awaitable<void> acquire() { return tokens_.async_receive(asio::use_awaitable); }
  void release() { tokens_.try_send(error_code{}); }

private:
  token_channel tokens_;
};

/// taskio's primitives, built as the Asio ones above are.
struct taskio_lock : taskio::lock {
  taskio_lock(const asio::any_io_executor&, std::size_t) {}
};
struct taskio_semaphore : taskio::semaphore {
  taskio_semaphore(const asio::any_io_executor&, std::size_t slots) : taskio::semaphore(slots) {}
};

/// n x (acquire; yield; release).
template <class P>
asio::awaitable<void> user(P& p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    co_await p.acquire();
    co_await asio::post(asio::use_awaitable);
    p.release();
  }
}

/// taskio: the tasks make(k), k < tasks, created at once, then awaited.
template <class F>
asio::awaitable<void> taskio_join_all(int tasks, F make) {
  std::vector<taskio::task<void>> ts;
  for (int k = 0; k < tasks; ++k) ts.push_back(taskio::create_task(make(k)));
  for (auto& t : ts) co_await t.async_wait();
}

/// Asio: the coroutines make(k), k < tasks, co_spawned at once; returns
/// when the last one finished.
template <class F>
asio::awaitable<void> asio_join_all(int tasks, F make) {
  auto ex = co_await asio::this_coro::executor;
  token_channel done(ex, 1);
  int left = tasks;
  for (int k = 0; k < tasks; ++k)
    asio::co_spawn(ex, make(k), [&](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
      if (--left == 0) done.try_send(error_code{});
    });
  co_await done.async_receive(asio::use_awaitable);
}

// --- lock_uncontended ---------------------------------------------------------

template <class P>
asio::awaitable<void> lock_uncontended(std::size_t n, sample& s) {
  P p(co_await asio::this_coro::executor, 1);
  window w{n, &s};
  w.start();
  for (std::size_t i = 0; i < n; ++i) {
    co_await p.acquire();
    p.release();
  }
  w.stop();
}

// --- lock_handoff, semaphore: Tasks users of Slots slots ------------------------

template <int Tasks, std::size_t Slots, class P>
asio::awaitable<void> contention(std::size_t n, sample& s) {
  constexpr bool on_taskio = std::is_base_of_v<taskio::lock, P> || std::is_base_of_v<taskio::semaphore, P>;
  P p(co_await asio::this_coro::executor, Slots);
  auto make = [&p, n](int) { return user(p, n / Tasks); };
  window w{n, &s};
  w.start();
  if constexpr (on_taskio)
    co_await taskio_join_all(Tasks, make);
  else
    co_await asio_join_all(Tasks, make);
  w.stop();
}

// --- queue_pingpong -----------------------------------------------------------

asio::awaitable<void> taskio_ping(taskio::queue<int>& out, taskio::queue<int>& in, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    co_await out.put(static_cast<int>(i));
    (void)co_await in.get();
  }
}

asio::awaitable<void> taskio_pong(taskio::queue<int>& in, taskio::queue<int>& out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const int v = co_await in.get();
    co_await out.put(v);
  }
}

asio::awaitable<void> taskio_queue_pingpong(std::size_t n, sample& s) {
  taskio::queue<int> q1, q2;
  window w{n, &s};
  w.start();
  co_await taskio_join_all(2, [&](int k) { return k == 0 ? taskio_ping(q1, q2, n) : taskio_pong(q1, q2, n); });
  w.stop();
}

asio::awaitable<void> asio_ping(int_channel& out, int_channel& in, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    co_await out.async_send(error_code{}, static_cast<int>(i), asio::use_awaitable);
    (void)co_await in.async_receive(asio::use_awaitable);
  }
}

asio::awaitable<void> asio_pong(int_channel& in, int_channel& out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const int v = co_await in.async_receive(asio::use_awaitable);
    co_await out.async_send(error_code{}, v, asio::use_awaitable);
  }
}

asio::awaitable<void> asio_queue_pingpong(std::size_t n, sample& s) {
  auto ex = co_await asio::this_coro::executor;
  int_channel c1(ex, 1), c2(ex, 1);
  window w{n, &s};
  w.start();
  co_await asio_join_all(2, [&](int k) { return k == 0 ? asio_ping(c1, c2, n) : asio_pong(c1, c2, n); });
  w.stop();
}

}  // namespace

extern const figure_def primitives{
    {
        {"asio_lock_uncontended_channel", asio_side(lock_uncontended<channel_semaphore>)},
        {"asio_lock_uncontended_waitq", asio_side(lock_uncontended<hand_semaphore>)},
        {"taskio_lock_uncontended", taskio_side(lock_uncontended<taskio_lock>)},
        {"asio_lock_handoff_channel", asio_side(contention<2, 1, channel_semaphore>)},
        {"asio_lock_handoff_waitq", asio_side(contention<2, 1, hand_semaphore>)},
        {"taskio_lock_handoff", taskio_side(contention<2, 1, taskio_lock>)},
        {"asio_semaphore_channel", asio_side(contention<16, 4, channel_semaphore>)},
        {"asio_semaphore_waitq", asio_side(contention<16, 4, hand_semaphore>)},
        {"taskio_semaphore", taskio_side(contention<16, 4, taskio_semaphore>)},
        {"asio_queue_pingpong", asio_side(asio_queue_pingpong)},
        {"taskio_queue_pingpong", taskio_side(taskio_queue_pingpong)},
    },
    [](const options& o) {
      const auto metrics = timed_metrics();
      std::size_t n = o.scaled(1000000);
      figure(o, "lock_uncontended",
             {"asio_lock_uncontended_channel", "asio_lock_uncontended_waitq", "taskio_lock_uncontended"}, o.tag(n), n,
             metrics);
      n = o.scaled(100000);
      figure(o, "lock_handoff", {"asio_lock_handoff_channel", "asio_lock_handoff_waitq", "taskio_lock_handoff"},
             o.tag(n), n, metrics);
      figure(o, "semaphore", {"asio_semaphore_channel", "asio_semaphore_waitq", "taskio_semaphore"}, o.tag(n), n,
             metrics);
      figure(o, "queue_pingpong", {"asio_queue_pingpong", "taskio_queue_pingpong"}, o.tag(n), n, metrics);
    }};

}  // namespace bench
