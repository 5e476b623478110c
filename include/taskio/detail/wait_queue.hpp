//
// taskio/detail/wait_queue.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The one wait queue (trio's "parking lot") under every synchronization
// primitive and queue: a FIFO of parked coroutines, as asyncio's primitives
// keep a deque of futures. Each waiter is one operation of the kernel's kind
// (detail/operation.hpp), park_op: the node in the queue, the task's
// cancellation waiter and the wake-up the loop runs, in one block from
// Asio's recycling allocator. No future, no coroutine frame of its own:
// park() returns an Asio asynchronous operation the primitive co_awaits.
//
// A waiter is parked, woken or cancelled, like the future<void> asyncio
// parks on: waking it schedules its resumption one loop iteration later; a
// waiter whose task is cancelled while parked is cancelled at once (the task
// delivers the cancel to the operation it is suspended on), so the queue
// knows which waiters can still be woken. Either way the waiter removes
// itself from the queue when it resumes.
//
// The primitive decides what a wake-up means (a lock handed over, an item
// available) and what a waiter that was woken but then cancelled must pass
// on: park() reports that case.
//
// Await graph (introspection.hpp): a parked waiter stands for the primitive,
// under its label ("Lock", "Event", "Queue.get", ...), and, when the
// primitive knows who holds it (a lock), for that task: dump_tasks shows
// "(T) worker -> (Lock) -> (T) holder", and a task waiting for a lock it
// holds itself as an await cycle. The graph sees a waiter as a future
// ("<Lock pending>"), which the waiter creates only when the graph asks.
//
// Single loop: the queue binds to the loop of its first waiter (the loop
// running it; outside taskio::run and task steps, its executor's); a waiter
// from another loop gets std::runtime_error. Touch it on that loop's thread
// only (waking a waiter from another thread while the loop runs throws
// std::logic_error). The queue must outlive its waiters.
//
// Shutdown: a waiter still parked when its loop's io_context is destroyed is
// an operation nothing will complete, and only the queue holds it: the loop
// destroys it unrun (with the coroutine frames its handler owns), as Asio
// destroys its queued handlers. Without that, a task parked on a queue its
// own frame owns (a task group's exit: frame -> group -> queue -> waiter ->
// frame) was never freed.

#ifndef TASKIO_DETAIL_WAIT_QUEUE_HPP
#define TASKIO_DETAIL_WAIT_QUEUE_HPP

#include <taskio/config.hpp>
#include <taskio/detail/intrusive_list.hpp>
#include <taskio/detail/operation.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace taskio::detail {

class loop;
class task_state_base;
class wait_queue;

/// The part of a parked waiter that does not depend on its handler (see
/// park_op below): its place in the queue, its state, its await-graph node.
class TASKIO_DECL parked_waiter : public parking_lot::orphan, public cancellation::waiter, public queued_wakeup {
public:
  enum class status : std::uint8_t { parked, woken, cancelled };
  status state() const noexcept { return status_; }

  /// Parked -> woken; schedules the resumption.
  void wake();
  /// The task's cancel while parked: cancelled at once (false once woken).
  bool cancel(const std::string& msg) override;
  /// The await graph's node for this waiter (created on first request).
  const future_state_base* awaited() const noexcept override;

  awaiter_link link_;

protected:
  parked_waiter(wait_queue& q, bool* woken_first, func_type f) noexcept
      : queued_wakeup(f), queue_(&q), woken_first_(woken_first) {}
  ~parked_waiter();

  /// At completion, on the awaiter's executor: unregisters from the task
  /// and the queue, sets *woken_first; returns what the waiter receives.
  std::exception_ptr finish();
  /// Leaves the queue (if still in it) and drops the graph node.
  void unlink() noexcept;

private:
  friend class wait_queue;
  virtual void post() = 0;  // post_completion of the concrete operation
  void set_status(status s);
  void mirror() const;  // the graph node's future follows the status

  struct graph_node;
  wait_queue* queue_;
  bool* woken_first_;
  status status_ = status::parked;
  std::exception_ptr cancelled_;
  mutable graph_node* graph_ = nullptr;
};

/// One parked waiter: park()'s operation, completed with the handler of the
/// coroutine that parks.
template <class Handler>
class park_op final : public parked_waiter {
public:
  park_op(wait_queue& q, bool* woken_first, Handler&& h)
      : parked_waiter(q, woken_first, &wake_step<park_op>), handler_(std::move(h)) {}
  ~park_op() { unlink(); }  // before the handler (and the frames it owns) goes

  /// Loop shutdown (out of its queue, still parked): destroyed without
  /// completing; the awaiting task no longer counts it as its waiter.
  void destroy_unrun() noexcept override {
    link_.forget(this);
    delete_op(this);
  }

  void complete() {
    std::exception_ptr e = finish();
    Handler h = take_handler_and_delete(this);
    std::move(h)(std::move(e));
  }

  struct cancel_handler {
    park_op* op;
    void operator()(boost::asio::cancellation_type_t type) {
      if (type != boost::asio::cancellation_type::none) op->cancel({});
    }
  };

  Handler handler_;

private:
  void post() override { post_completion(this, boost::asio::get_associated_executor(handler_)); }
};

class TASKIO_DECL wait_queue final : public parking_lot {
public:
  /// `owner` names the primitive in error messages ("taskio::lock");
  /// `label` names it in the await graph ("Lock").
  wait_queue(const char* owner, const char* label) noexcept : owner_(owner), label_(label) {}
  /// Leaves its loop's list of bound queues.
  ~wait_queue();
  wait_queue(const wait_queue&) = delete;
  wait_queue& operator=(const wait_queue&) = delete;

  class parking;

  /// Parks the calling coroutine at the back of the queue until a wake
  /// call picks it: `co_await q.park(&woken)`. Returns when woken;
  /// otherwise rethrows what ended the wait (cancelled_error when the
  /// awaiting task was cancelled), after setting *woken_first (if given) to
  /// whether a wake-up had already been given to this waiter: the primitive
  /// must then pass it on. The result is an Asio asynchronous operation
  /// (completion signature void(exception_ptr)): co_await it at once in an
  /// asio::awaitable coroutine, which costs no coroutine frame.
  /// Exceptions: std::runtime_error when the queue is bound to another loop.
  /// Cancellation: always a cancellation point.
  parking park(bool* woken_first = nullptr) {
    // the loop running the caller (a task's step, taskio::run): a waiter from
    // another loop fails here, before it suspends
    if (loop* l = thread_state::current_loop(); l && l != loop_) bind(*l);
    return parking(this, woken_first);
  }

  /// Wakes the head waiter if it is not done yet (asyncio Lock's
  /// _wake_up_first: a cancelled head passes the turn on when it resumes).
  /// True if it woke it.
  bool wake_first() { return !waiters_.empty() && wake_head(); }
  /// Wakes the first waiter not done yet; true if there was one.
  bool wake_next();
  /// Wakes up to n waiters not done yet; returns how many.
  std::size_t wake(std::size_t n);
  std::size_t wake_all() { return wake(waiters_.size()); }

  /// Waiters still parked (woken or cancelled ones until they resume).
  std::size_t size() const noexcept { return waiters_.size(); }
  bool empty() const noexcept { return waiters_.empty(); }
  /// True if a parked waiter was not cancelled (woken or still waiting).
  bool has_uncancelled() const noexcept { return !waiters_.empty() && any_uncancelled(); }

  /// The task holding the primitive (a lock's holder; null: not held, or
  /// acquired outside a task), shown by the await graph as what the parked
  /// waiters await. Kept as an address and an id, no reference (nothing
  /// atomic on acquire and release): the graph shows it only while a
  /// pending task of the loop has both.
  void set_holder(const task_state_base* holder) noexcept {
    holder_ = holder;
    holder_id_ = holder ? holder->id() : 0;
  }
  /// What the parked waiters wait for, listed by `list(ctx, out)` (a task
  /// group's children not done yet, as_completed's children not done yet:
  /// watcher::list_pending): the await graph shows them awaiting what it
  /// appends. Null: none.
  using awaited_lister = void (*)(const void* ctx, std::vector<ref_ptr<future_state_base>>& out);
  void set_awaited(awaited_lister list, const void* ctx) noexcept {
    list_ = list;
    list_ctx_ = ctx;
  }
  /// The label from now on (a barrier's condition says "Barrier").
  void set_label(const char* label) noexcept { label_ = label; }

  /// Loop shutdown (under the loop's lock): moves the waiters still parked
  /// (not woken or cancelled: those are queued on the io_context, which
  /// destroys them) to `out` and unbinds the queue.
  void orphan_parked(intrusive_list<orphan, orphan>& out) noexcept override;

  /// park()'s asynchronous operation, completing with void(exception_ptr).
  /// Trivially copyable (g++ 12 and temporaries in co_await expressions).
  class parking {
    struct initiate {
      template <class Handler>
      void operator()(Handler&& handler, wait_queue* q, bool* woken_first) const {
        using op_type = park_op<std::decay_t<Handler>>;
        if (!thread_state::current_loop()) {  // no running loop to bind to in park(): the executor's
          auto ex = boost::asio::get_associated_executor(handler);
          if (std::exception_ptr e = q->bind_to(ex)) {
            boost::asio::post(ex, [h = std::move(handler), e]() mutable { std::move(h)(e); });
            return;
          }
        }
        op_type* op = new_op<op_type>(handler, *q, woken_first, std::move(handler));
        op->link_.template attach<typename op_type::cancel_handler>(op->handler_, op);
        q->waiters_.push_back(*op);
      }
    };

  public:
    /// Initiates the wait (what `co_await` does with it).
    template <class Token>
    auto operator()(Token&& token) && -> decltype(boost::asio::async_initiate<Token, void(std::exception_ptr)>(
        std::declval<initiate>(), token, std::declval<wait_queue*>(), std::declval<bool*>())) {
      return boost::asio::async_initiate<Token, void(std::exception_ptr)>(initiate{}, token, q_, woken_first_);
    }

  private:
    friend class wait_queue;
    parking(wait_queue* q, bool* woken_first) noexcept : q_(q), woken_first_(woken_first) {}
    wait_queue* q_;
    bool* woken_first_;
  };

private:
  friend class parked_waiter;
  /// Binds to `l` (the first waiter's loop) or throws std::runtime_error.
  void bind(loop& l);
  bool wake_head();
  bool any_uncancelled() const noexcept;
  /// Binds to the loop of `ex` (a parking coroutine's executor): null, or
  /// the exception that waiter receives.
  std::exception_ptr bind_to(const boost::asio::any_io_executor& ex) noexcept;
  /// What the parked waiters stand for in the await graph.
  void list_awaited(std::vector<ref_ptr<future_state_base>>& out) const;

  const char* owner_;
  const char* label_;
  const task_state_base* holder_ = nullptr;
  std::uint64_t holder_id_ = 0;
  awaited_lister list_ = nullptr;
  const void* list_ctx_ = nullptr;
  loop* loop_ = nullptr;
  intrusive_list<parked_waiter, orphan> waiters_;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_WAIT_QUEUE_HPP
