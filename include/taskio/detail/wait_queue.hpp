//
// taskio/detail/wait_queue.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The one wait queue (trio's "parking lot") under every synchronization
// primitive and queue: a FIFO of parked coroutines, each waiting on its own
// taskio::future<void>, exactly as asyncio's primitives keep a deque of
// futures. Waking a waiter sets its future; the waiter resumes one loop
// iteration later and removes itself, whatever the outcome. A waiter whose
// task is cancelled while parked has its future cancelled at once (the
// task forwards the cancel to the future it awaits), so done() tells a
// primitive which waiters can still be woken.
//
// The primitive decides what a wake-up means (a lock handed over, an item
// available) and what a waiter that was woken but then cancelled must pass
// on: park() reports that case.
//
// Await graph (introspection.hpp): a parked waiter's future stands for the
// primitive, under its label ("Lock", "Event", "Queue.get", ...), and, when
// the primitive knows who holds it (a lock), for that task: dump_tasks shows
// "(T) worker -> (Lock) -> (T) holder", and a task waiting for a lock it
// holds itself as an await cycle. Registered only while a waiter is parked.
//
// Single loop: the queue binds to the loop of its first waiter; a waiter
// from another loop gets std::runtime_error. Touch it on that loop's thread
// only (setting a future from another thread while the loop runs throws
// std::logic_error). The queue must outlive its waiters.

#ifndef TASKIO_DETAIL_WAIT_QUEUE_HPP
#define TASKIO_DETAIL_WAIT_QUEUE_HPP

#include <taskio/config.hpp>
#include <taskio/detail/intrusive_list.hpp>
#include <taskio/future.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace taskio::detail {

class loop;
class task_state_base;
class watcher;

class TASKIO_DECL wait_queue {
public:
  /// `owner` names the primitive in error messages ("taskio::lock");
  /// `label` names it in the await graph ("Lock").
  wait_queue(const char* owner, const char* label) noexcept : owner_(owner), label_(label) {}
  wait_queue(const wait_queue&) = delete;
  wait_queue& operator=(const wait_queue&) = delete;

  /// Parks the calling coroutine at the back of the queue until a wake
  /// call picks it. Returns when woken; otherwise rethrows what ended the
  /// wait (cancelled_error when the awaiting task was cancelled), after
  /// setting *woken_first (if given) to whether a wake-up had already been
  /// given to this waiter: the primitive must then pass it on.
  /// Cancellation: always a cancellation point.
  boost::asio::awaitable<void> park(bool* woken_first = nullptr);

  /// Wakes the head waiter if it is not done yet (asyncio Lock's
  /// _wake_up_first: a cancelled head passes the turn on when it resumes).
  /// True if it woke it.
  bool wake_first();
  /// Wakes the first waiter not done yet; true if there was one.
  bool wake_next();
  /// Wakes up to n waiters not done yet; returns how many.
  std::size_t wake(std::size_t n);
  std::size_t wake_all() { return wake(waiters_.size()); }

  /// Waiters still parked (woken or cancelled ones until they resume).
  std::size_t size() const noexcept { return waiters_.size(); }
  bool empty() const noexcept { return waiters_.empty(); }
  /// True if a parked waiter was not cancelled (woken or still waiting).
  bool has_uncancelled() const noexcept;

  /// The task holding the primitive (a lock's holder; null: not held, or
  /// acquired outside a task), shown by the await graph as what the parked
  /// waiters await. Kept as an address and an id, no reference (nothing
  /// atomic on acquire and release): the graph shows it only while a
  /// pending task of the loop has both.
  void set_holder(const task_state_base* holder) noexcept;
  /// The combinator whose results the parked waiters wait for
  /// (as_completed's next()): the await graph shows them awaiting its
  /// children that are not done yet. Null: none.
  void set_awaited(const watcher* combinator) noexcept { awaited_ = combinator; }
  /// What the parked waiters wait for, listed by `list(ctx, out)` (a task
  /// group's children not done yet): the await graph shows them awaiting
  /// what it appends. Null: none.
  using awaited_lister = void (*)(const void* ctx, std::vector<ref_ptr<future_state_base>>& out);
  void set_awaited(awaited_lister list, const void* ctx) noexcept {
    list_ = list;
    list_ctx_ = ctx;
  }
  /// The label from now on (a barrier's condition says "Barrier").
  void set_label(const char* label) noexcept { label_ = label; }

private:
  struct node : list_hook<> {
    std::optional<future<void>> fut;
  };
  void bind(loop& l, const char* who);

  const char* owner_;
  const char* label_;
  const task_state_base* holder_ = nullptr;
  std::uint64_t holder_id_ = 0;
  const watcher* awaited_ = nullptr;
  awaited_lister list_ = nullptr;
  const void* list_ctx_ = nullptr;
  loop* loop_ = nullptr;
  intrusive_list<node> waiters_;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_WAIT_QUEUE_HPP
