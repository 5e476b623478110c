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
// Cancellation (the count, delivery to taskio waiters and plain Asio
// operations, the end-as-cancelled decision) is the cancellation module,
// detail/cancel.hpp, a base of task_state_base; the step hook calls it at
// the end of every outermost step.

#ifndef TASKIO_DETAIL_TASK_STATE_HPP
#define TASKIO_DETAIL_TASK_STATE_HPP

#include <taskio/config.hpp>
#include <taskio/detail/asio_compat.hpp>
#include <taskio/detail/cancel.hpp>
#include <taskio/detail/context_state.hpp>
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

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <vector>

namespace taskio {

/// One entry of a task's stack (get_stack): a coroutine frame of the task's
/// chain (detail/call_stack.hpp), or where the task's coroutine was created.
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
  /// True when handlers posted through this executor run in the order they
  /// were posted relative to every completion on it: a plain io_context
  /// executor, or a strand of an io_context created with concurrency hint 1.
  bool is_fifo() const noexcept;
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

/// The hook of a task in its loop's registry (loop::register_task).
struct registry_tag;

class TASKIO_DECL task_state_base : public future_state_base, public cancellation, public list_hook<registry_tag> {
public:
  /// `context`: the task's context (task_options::context); null: a copy
  /// of the current one.
  task_state_base(loop& l, boost::asio::any_io_executor ex, std::string name, std::source_location where,
                  ref_ptr<context_impl> context = {});
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
  /// Where the task's coroutine was created.
  const std::source_location& where() const noexcept { return where_; }
  /// The loop's debug mode (false once the loop is gone).
  bool debug_mode() const noexcept { return loop_ && loop_->debug(); }
  /// The context the task's steps run in.
  context_impl* context() const noexcept { return context_.get(); }

  // --- cancellation (asyncio Task.cancel; the rest: detail/cancel.hpp) ---
  bool cancel(std::string msg) override;

  // --- the step hook ---
  bool running() const noexcept { return depth_ > 0; }
  /// Inside a step of this task: whether the code running now is the task's
  /// own coroutine chain (not a plain coroutine Asio runs on the task's
  /// executor or inline within its step). current_task() asks this.
  bool own_chain_running() const noexcept;
  template <class F>
  void step(F&& f) {
    step_scope scope(*this);
    static_cast<F&&>(f)();
  }

  // --- called by the task's entry coroutine ---
  void attach(bool* switched, boost::asio::cancellation_state cs) noexcept {
    switched_ = switched;
    attach_state(cs, inner_.is_fifo());
  }
  /// The entry frame is being destroyed (the coroutine finished, or was
  /// destroyed unfinished): identity checks stop reading it.
  /// The entry frame goes: at the end of the task, or unrun (its io_context
  /// destroyed while it was pending), when the nodes registered on it are
  /// dropped: they would never fire, and one that holds the task (a task
  /// group's registration) would keep it and its group alive for ever.
  void forget_entry() noexcept {
    entry_ = nullptr;
    if (!done()) [[unlikely]]
      drop_nodes();
  }
  void finish_cancelled_before_start();
  void finish_exception(std::exception_ptr e);
  /// Body returned: false (and the task ends cancelled, the value is
  /// discarded) when a cancellation request is still pending.
  bool finish_ok_allowed();
  /// Then: the task ends finished (after its value was stored).
  void finish_ok();

  /// The task's coroutine before its first step.
  using thread_type = asio_compat::awaitable_thread<boost::asio::any_io_executor>;
  /// Starts the task: runs its first step here, inside create_task, when it
  /// starts eagerly (`eager_start`, else the loop's default) and the loop
  /// runs this task's executor on this thread; otherwise schedules it.
  void start(thread_type thread, std::optional<bool> eager_start);
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

  // --- loop-local executor references (task_executor) ---
  // A task on a single-threaded loop (concurrency hint 1) counts the
  // executor references made on the thread running its loop in a plain
  // integer: while that count is non-zero the task holds one ordinary
  // (atomic) reference on behalf of all of them. A local reference dropped
  // on another thread is handed to the loop (a queued operation that drops
  // it there); once the loop shuts down (close_local) the count is guarded
  // by one process-wide mutex instead. doc/design.md, "Executor references".

  /// This thread may make and drop local references of this task: its loop
  /// is single-threaded, not shut down, and this thread is running it (the
  /// thread's current loop, or inside its io_context's run).
  bool local_thread() const noexcept {
    loop* o = local_loop_.load(std::memory_order_relaxed);
    return o && (thread_state::current_loop() == o || asio_compat::running_in(local_queue_));
  }
  /// A new local reference (local_thread() only).
  void add_local_ref() noexcept {
    if (local_refs_++ == 0) add_ref();
  }
  /// Drops a local reference, on any thread.
  void release_local_ref() noexcept {
    if (local_thread()) [[likely]]
      release_local_here();
    else
      release_local_elsewhere();
  }
  /// Drops a local reference on the loop's thread (local_thread(), or an
  /// operation the loop's io_context runs).
  void release_local_here() noexcept {
    if (--local_refs_ == 0) last_local_ref_gone();
  }
  /// The loop shuts down (loop::shutdown, under local_refs_mutex()): no
  /// more local references; the ones left are dropped under the mutex.
  void close_local() noexcept {
    local_loop_.store(nullptr, std::memory_order_relaxed);
    local_listed_ = false;
  }

private:
  /// The step hook. Inline, with one predictable branch on each side: the
  /// rare cases (a nested step, debug-mode timing, Ctrl-C, a cancellation
  /// to resolve or deliver) are out of line.
  class TASKIO_DECL step_scope {
  public:
    explicit step_scope(task_state_base& t) noexcept
        : t_(&t),
          prev_loop_(thread_state::current_loop()),
          prev_task_(thread_state::current_task()),
          prev_owner_(thread_state::foreign_step_owner()),
          prev_context_(std::exchange(context_tls::current(), t.context_.get())) {
      thread_state::current_loop() = t.loop_;
      thread_state::current_task() = &t;
      if (t.depth_ == 0 && !t.loop_->debug()) [[likely]] {
        t.depth_ = 1;
        t.launch_mark_ = asio_compat::launch_top();
        asio_compat::reset_switched(t.switched_);
      } else {
        enter_rare();
      }
    }
    ~step_scope() {
      task_state_base& t = *t_;
      thread_state::current_loop() = prev_loop_;
      thread_state::current_task() = prev_task_;
      thread_state::foreign_step_owner() = prev_owner_;
      context_tls::current() = prev_context_;
      if (--t.depth_ == 0) t.end_outermost_step(started_ns_);
    }
    step_scope(const step_scope&) = delete;
    step_scope& operator=(const step_scope&) = delete;

  private:
    /// A step inside a step of the same task, or debug mode.
    void enter_rare() noexcept;

    task_state_base* t_;  // kept alive by the executor or function running the step
    loop* prev_loop_;
    task_state_base* prev_task_;
    task_state_base* prev_owner_;
    context_impl* prev_context_;
    std::int64_t started_ns_ = 0;  // debug mode: when the outermost step began
  };

  /// After the outermost step: Ctrl-C, the slow-step warning (debug mode),
  /// then the cancellation module's after_step.
  void end_outermost_step(std::int64_t started_ns);
  BOOST_NOINLINE void end_step_rare(std::int64_t started_ns);

  void on_done() noexcept;
  /// The local count reached zero: unlists a finished task, drops the
  /// reference held on behalf of the local ones (may free this state).
  void last_local_ref_gone() noexcept;
  /// A local reference dropped off the loop's thread: queued to the loop,
  /// or (loop shut down) dropped under local_refs_mutex().
  void release_local_elsewhere() noexcept;
  /// Another awaitable thread (a plain coroutine) started inline within this
  /// step is still in its launch (Asio 1.36 on; false before).
  bool foreign_launch() const noexcept;
  /// A step beginning inside a step of this task runs a plain coroutine
  /// started inline on the task's executor, not the task.
  bool foreign_nested_step() const noexcept;

  std::uint64_t id_;
  std::string name_;
  std::source_location where_;
  task_context context_;
  inner_executor inner_;
  // (depth_, local_listed_ and local_refs_ share one 8-byte slot: the task
  // state's size is what a suspended task costs; doc/benchmarks.md "mem")
  std::int16_t depth_ = 0;     // nested steps of this task: bounded by the stack, far below 2^15
  bool local_listed_ = false;  // finished, in the loop's local_tasks_ (the loop's thread)
  int local_refs_ = 0;         // local executor references: the loop's thread; under local_refs_mutex() once closed
  bool* switched_ = nullptr;
  asio_compat::entry_frame* entry_ = nullptr;  // the task's awaitable thread, from its first step until destroyed
  const void* launch_mark_ = nullptr;          // asio_compat::launch_top() when the outermost step began
  // local executor references: the loop that counts them (null: a
  // multi-threaded loop, a finished task with none left, or shut down) and
  // its scheduler (compared, never dereferenced)
  std::atomic<loop*> local_loop_{nullptr};
  asio_compat::scheduler* local_queue_ = nullptr;
};

/// Guards the local counts of tasks whose loop has shut down, and their
/// hand-over (a foreign drop posts to the loop only while it is open).
TASKIO_DECL std::mutex& local_refs_mutex() noexcept;

/// The executor every task's coroutine runs on: the step hook. It holds a
/// reference on its task: a local one (no atomic operation) when made on
/// the thread running the task's single-threaded loop, else an ordinary
/// one (task_state_base::local_thread). Moves carry the reference and its
/// kind.
class TASKIO_DECL task_executor {
public:
  explicit task_executor(task_state_base* t, bool never = false) noexcept
      : t_(t), never_(never), local_(t->local_thread()) {
    if (local_)
      t_->add_local_ref();
    else
      t_->add_ref();
  }
  task_executor(const task_executor& o) noexcept : task_executor(o.t_, o.never_) {}
  task_executor(task_executor&& o) noexcept
      : t_(std::exchange(o.t_, nullptr)), never_(o.never_), local_(o.local_) {}
  task_executor& operator=(const task_executor& o) noexcept {
    if (this != &o) *this = task_executor(o);
    return *this;
  }
  task_executor& operator=(task_executor&& o) noexcept {
    if (this != &o) {
      drop();
      t_ = std::exchange(o.t_, nullptr);
      never_ = o.never_;
      local_ = o.local_;
    }
    return *this;
  }
  ~task_executor() { drop(); }

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
      // the posted function keeps the task alive with a copy of this
      // executor (a local reference when posted on the loop's thread)
      t->inner().post([ex = task_executor(t), f = std::decay_t<F>(std::forward<F>(f))]() mutable {
        ex.t_->step(std::move(f));
      });
    }
  }

  friend bool operator==(const task_executor& a, const task_executor& b) noexcept {
    return a.t_ == b.t_ && a.never_ == b.never_;
  }
  friend bool operator!=(const task_executor& a, const task_executor& b) noexcept { return !(a == b); }

private:
  void drop() noexcept {
    if (!t_) return;
    if (local_)
      t_->release_local_ref();
    else
      t_->release();
  }

  task_state_base* t_;
  bool never_;
  bool local_;  // t_'s reference is a local one
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
  struct forget {
    task_state<T>* t;
    ~forget() { t->forget_entry(); }  // the frame goes (the executor it holds keeps t alive)
  } forget_entry{t};
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
/// asyncio's create_task schedules it, or run at once: eager start).
/// std::invalid_argument for an awaitable without a coroutine (moved from,
/// or already awaited): awaiting it would dereference a null frame.
template <class T>
void require_valid(const boost::asio::awaitable<T>& aw) {
  if (!aw.valid())
    throw std::invalid_argument("taskio: cannot run an empty asio::awaitable (moved from, or already awaited)");
}

template <class T>
ref_ptr<task_state<T>> launch_task(boost::asio::any_io_executor ex, boost::asio::awaitable<T> body, std::string name,
                                   std::source_location where, std::optional<bool> eager_start = {},
                                   ref_ptr<context_impl> context = {}) {
  require_valid(body);
  ex = unwrap_executor(ex);
  loop& l = loop::of(ex);
  ref_ptr<task_state<T>> t(new task_state<T>(l, ex, std::move(name), where, std::move(context)));
  task_state_base::thread_type thread(
      task_entry<T>(t.get(), std::move(body)), boost::asio::any_io_executor(task_executor(t.get())),
      t->signal().slot(), boost::asio::cancellation_state(t->signal().slot()));
  t->start(std::move(thread), eager_start);
  return t;
}

/// The task whose own coroutine chain is running the caller (the caller's
/// cancellation slot is the task's), or null: a plain coroutine running on
/// a task's executor or inside its step is not that task.
TASKIO_DECL boost::asio::awaitable<task_state_base*> attached_task();
/// attached_task(), or std::runtime_error "<who> should be used inside a
/// task" (asyncio's words) when there is none.
TASKIO_DECL boost::asio::awaitable<task_state_base*> require_task(const char* who);

/// The executor a new task gets when none is given: its parent task's, or
/// the running loop's. std::runtime_error outside a running loop.
TASKIO_DECL boost::asio::any_io_executor default_task_executor(const char* who);

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_TASK_STATE_HPP
