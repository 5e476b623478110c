//
// taskio/detail/task_state.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The kernel. A task is one Asio awaitable "thread" (the same machinery
// co_spawn uses) whose executor is task_executor, a thin wrapper around the
// executor the task was created on. Asio resumes a coroutine only through
// its executor, so every resumption of the task (its first run, every
// completion of an operation it awaits) passes through task_executor and
// becomes a *step*: task_state_base::step sets current_task(), times the
// step in debug mode, and after the step delivers a pending cancellation.
//
// Cancellation is asyncio's (SEMANTICS.md 3.3-3.7): cancel() counts the
// request, and exactly one cancelled_error is delivered per request:
//  * to a taskio awaitable the task is suspended on (sleep, awaiting a task
//    or future, ...), through its `waiter` interface, synchronously and
//    exactly (the op accepts or refuses);
//  * to any other Asio operation that supports per-operation cancellation,
//    by emitting `terminal` on the task's cancellation slot. Whether the
//    operation accepted is learnt from a probe posted just before the
//    emission: on a FIFO loop an operation that accepts completes after the
//    probe, one that had already completed resumes the task before it.
//    A request that was not accepted stays pending and goes to the next
//    suspension point. The operation then fails with operation_aborted;
//    the task ends cancelled (see is_cancellation()).
// Asio's per-coroutine cancellation state is never left sticky: it is
// cleared right after each emission.

#ifndef TASKIO_DETAIL_TASK_STATE_HPP
#define TASKIO_DETAIL_TASK_STATE_HPP

#include <taskio/config.hpp>
#include <taskio/detail/asio_compat.hpp>
#include <taskio/detail/future_state.hpp>
#include <taskio/detail/loop.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>

#include <cstdint>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <vector>

namespace taskio {

/// One entry of a task's stack (get_stack): where the task's coroutine was
/// created. C++ cannot walk suspended coroutine frames, so like CPython a
/// task reports the one frame it knows.
struct frame_info {
  std::string function;
  std::string file;
  unsigned line = 0;
};

}  // namespace taskio

namespace taskio::detail {

/// The executor a task was created on, with a fast path for the common
/// executor types (plain io_context executor, strands) so the step hook can
/// tell "already on the right thread" without type-erased calls.
class TASKIO_DECL inner_executor {
public:
  /// `ex` must outlive this object (it is the task's own executor member).
  explicit inner_executor(const boost::asio::any_io_executor& ex);
  inner_executor(const inner_executor&) = delete;
  inner_executor& operator=(const inner_executor&) = delete;
  const boost::asio::any_io_executor& get() const noexcept { return *any_; }
  /// True for a plain io_context executor (not a strand, not another type).
  bool is_io() const noexcept { return io_ != nullptr; }
  bool running_in_this_thread() const noexcept;
  template <class F>
  void post(F&& f) const {
    if (io_)
      boost::asio::post(*io_, std::forward<F>(f));
    else
      boost::asio::post(*any_, std::forward<F>(f));
  }

private:
  const boost::asio::any_io_executor* any_;
  const boost::asio::io_context::executor_type* io_ = nullptr;
  enum class kind : std::uint8_t { io, strand_io, strand_any, other } kind_ = kind::other;
};

class TASKIO_DECL task_state_base : public future_state_base {
public:
  /// A taskio awaitable the task is suspended on (asyncio's fut_waiter).
  class waiter {
  public:
    /// Try to cancel the awaited operation with `msg`. True if it accepted
    /// (the task will be woken with a cancelled_error). May complete the
    /// operation synchronously (it then only posts the wake-up).
    virtual bool cancel(const std::string& msg) = 0;

  protected:
    ~waiter() = default;
  };

  task_state_base(loop& l, boost::asio::any_io_executor ex, std::string name, std::source_location where);
  ~task_state_base() override;

  const char* kind() const noexcept override { return "Task"; }
  std::string repr() const override;

  // --- names and introspection ---
  std::uint64_t id() const noexcept { return id_; }
  std::string name() const;
  void set_name(std::string name) { name_ = std::move(name); }
  std::vector<frame_info> stack(std::optional<std::size_t> limit) const;
  void print_stack(std::ostream& os, std::optional<std::size_t> limit) const;
  const inner_executor& inner() const noexcept { return inner_; }

  // --- cancellation (asyncio Task.cancel / uncancel / cancelling) ---
  bool cancel(std::string msg) override;
  int uncancel() noexcept;
  int cancelling() const noexcept { return count_; }
  bool must_cancel() const noexcept { return must_cancel_; }
  /// At a delivery point: consumes a pending request. Returns the
  /// cancelled_error to raise, or null when there is none or when
  /// `incoming_is_cancellation` (one error per request: the incoming
  /// cancellation stands for it).
  std::exception_ptr take_pending_cancel(bool incoming_is_cancellation);
  /// Makes the cancelled_error delivered to this task (remembered, so the
  /// task's end recognises it without rethrowing it).
  std::exception_ptr make_cancelled(const std::string& msg);
  /// Notes that `e` (a cancelled_error) was delivered to this task.
  void remember_cancelled(const std::exception_ptr& e) { last_cancelled_ = e; }
  /// True once a cancellation of this task aborted a raw Asio operation
  /// (its operation_aborted then counts as a cancellation).
  bool aborted_by_cancel() const noexcept { return aborted_; }

  /// The taskio awaitable this task is suspended on, if any.
  waiter* current_waiter() const noexcept { return waiter_; }
  void set_waiter(waiter* w) noexcept { waiter_ = w; }
  /// Whether `slot` is this task's own cancellation slot, i.e. the
  /// operation holding it is awaited directly by the task's coroutine.
  bool owns_slot(const boost::asio::cancellation_slot& slot) const noexcept {
    return slot.is_connected() && slot == cstate_.slot();
  }

  // --- the step hook ---
  bool running() const noexcept { return depth_ > 0; }
  template <class F>
  void step(F&& f) {
    step_scope scope(*this);
    static_cast<F&&>(f)();
  }

  // --- called by the task's entry coroutine ---
  void attach(bool* switched, boost::asio::cancellation_state cs) noexcept {
    switched_ = switched;
    cstate_ = cs;
  }
  void finish_cancelled_before_start();
  void finish_exception(std::exception_ptr e);
  /// Body returned: false (and the task ends cancelled, the value is
  /// discarded) when a cancellation request is still pending.
  bool finish_ok_allowed();
  /// Then: the task ends finished (after its value was stored).
  void finish_ok();

  boost::asio::cancellation_signal& signal() noexcept { return signal_; }

  /// The task's coroutine before its first step.
  using thread_type = asio_compat::awaitable_thread<boost::asio::any_io_executor>;
  /// Schedules the first step (asyncio's create_task schedules the task).
  /// (Queuing it as an operation embedded in this state, without an
  /// allocation, was measured slower: the posted handler's block, freed just
  /// before the step runs, is what Asio's recycling allocator hands to the
  /// step's own posts; see doc/benchmarks.md.)
  void post_first_step(thread_type thread);

  // registry links (loop)
  /// The io_context is being destroyed with this task pending: its state may
  /// outlive the loop (a handle kept by the user), so it forgets the loop.
  void forget_loop() noexcept { loop_ = nullptr; }
  task_state_base* reg_prev_ = nullptr;
  task_state_base* reg_next_ = nullptr;

private:
  class TASKIO_DECL step_scope {
  public:
    explicit step_scope(task_state_base& t) noexcept;
    ~step_scope();

  private:
    task_state_base* t_;  // kept alive by the executor or function running the step
    loop* prev_loop_;
    task_state_base* prev_task_;
    std::int64_t started_ns_ = 0;
  };

  void deliver();
  void on_probe(std::uint64_t seq);
  void on_done() noexcept;

  std::uint64_t id_;
  std::string name_;
  std::source_location where_;
  inner_executor inner_;
  // cancellation
  int count_ = 0;
  bool must_cancel_ = false;
  bool probe_pending_ = false;
  bool aborted_ = false;
  int depth_ = 0;
  std::string cancel_msg_;
  std::uint64_t probe_seq_ = 0;
  waiter* waiter_ = nullptr;
  bool* switched_ = nullptr;
  std::exception_ptr last_cancelled_;
  boost::asio::cancellation_signal signal_;
  boost::asio::cancellation_state cstate_;
};

/// The executor every task's coroutine runs on: the step hook.
class TASKIO_DECL task_executor {
public:
  explicit task_executor(task_state_base* t, bool never = false) noexcept : t_(t), never_(never) {
    t_->add_ref();
  }
  task_executor(const task_executor& o) noexcept : task_executor(o.t_, o.never_) {}
  task_executor(task_executor&& o) noexcept : t_(std::exchange(o.t_, nullptr)), never_(o.never_) {}
  task_executor& operator=(const task_executor& o) noexcept {
    o.t_->add_ref();
    if (t_) t_->release();
    t_ = o.t_;
    never_ = o.never_;
    return *this;
  }
  task_executor& operator=(task_executor&& o) noexcept {
    if (this != &o) {
      if (t_) t_->release();
      t_ = std::exchange(o.t_, nullptr);
      never_ = o.never_;
    }
    return *this;
  }
  ~task_executor() {
    if (t_) t_->release();
  }

  task_state_base* task() const noexcept { return t_; }

  boost::asio::execution_context& query(boost::asio::execution::context_t) const noexcept {
    return t_->get_loop().context();
  }
  boost::asio::execution::blocking_t query(boost::asio::execution::blocking_t) const noexcept {
    return never_ ? boost::asio::execution::blocking_t(boost::asio::execution::blocking.never)
                  : boost::asio::execution::blocking_t(boost::asio::execution::blocking.possibly);
  }
  task_executor require(boost::asio::execution::blocking_t::never_t) const noexcept {
    return task_executor(t_, true);
  }
  task_executor require(boost::asio::execution::blocking_t::possibly_t) const noexcept {
    return task_executor(t_, false);
  }

  template <class F>
  void execute(F&& f) const {
    task_state_base* t = t_;
    if (!never_ && t->inner().running_in_this_thread()) {
      t->step(std::forward<F>(f));
    } else {
      t->inner().post([t = ref_ptr<task_state_base>(t), f = std::decay_t<F>(std::forward<F>(f))]() mutable {
        t->step(std::move(f));
      });
    }
  }

  friend bool operator==(const task_executor& a, const task_executor& b) noexcept {
    return a.t_ == b.t_ && a.never_ == b.never_;
  }
  friend bool operator!=(const task_executor& a, const task_executor& b) noexcept { return !(a == b); }

private:
  task_state_base* t_;
  bool never_;
};

/// If `ex` is a task's executor (from `co_await this_coro::executor` inside
/// a task), the executor that task was created on; else `ex` itself.
TASKIO_DECL boost::asio::any_io_executor unwrap_executor(const boost::asio::any_io_executor& ex);

/// task<T>'s state.
template <class T>
class task_state final : public task_state_base, public result_slot<T> {
public:
  using task_state_base::task_state_base;
};

/// The outermost frame of every task: runs the body and records its outcome.
template <class T>
asio_compat::entry_awaitable<boost::asio::any_io_executor> task_entry(
    task_state<T>* t, boost::asio::awaitable<T> body) {
  bool* switched = asio_compat::switched_flag(co_await asio_compat::switched_query{});
  t->attach(switched, co_await boost::asio::this_coro::cancellation_state);
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  if (t->must_cancel()) {
    t->finish_cancelled_before_start();  // no line of the body runs
    co_return;
  }
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
      if (t->finish_ok_allowed()) t->finish_ok();
    } else {
      T v = co_await std::move(body);
      if (t->finish_ok_allowed()) {
        t->store(std::move(v));
        t->finish_ok();
      }
    }
  } catch (...) {
    t->finish_exception(std::current_exception());
  }
}

/// Creates a task running `body` on `ex` (its first step is posted, as
/// asyncio's create_task schedules it).
/// std::invalid_argument for an awaitable without a coroutine (moved from,
/// or already awaited): awaiting it would dereference a null frame.
template <class T>
void require_valid(const boost::asio::awaitable<T>& aw) {
  if (!aw.valid())
    throw std::invalid_argument("taskio: cannot run an empty asio::awaitable (moved from, or already awaited)");
}

template <class T>
ref_ptr<task_state<T>> launch_task(boost::asio::any_io_executor ex, boost::asio::awaitable<T> body, std::string name,
                                   std::source_location where) {
  require_valid(body);
  ex = unwrap_executor(ex);
  loop& l = loop::of(ex);
  ref_ptr<task_state<T>> t(new task_state<T>(l, ex, std::move(name), where));
  task_state_base::thread_type thread(
      task_entry<T>(t.get(), std::move(body)), boost::asio::any_io_executor(task_executor(t.get())),
      t->signal().slot(), boost::asio::cancellation_state(t->signal().slot()));
  t->post_first_step(std::move(thread));
  return t;
}

/// The executor a new task gets when none is given: its parent task's, or
/// the running loop's. std::runtime_error outside a running loop.
TASKIO_DECL boost::asio::any_io_executor default_task_executor(const char* who);

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_TASK_STATE_HPP
