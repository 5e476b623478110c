//
// taskio/threadsafe.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Reaching a loop from other threads: asyncio's run_coroutine_threadsafe,
// concurrent.futures.Future and loop.call_soon_threadsafe.
//
//   taskio::runner r;                          // a loop run by another thread
//   auto ex = r.get_executor();
//   ...
//   auto f = taskio::run_coroutine_threadsafe(fetch("a"), ex);   // any thread
//   std::string s = f.result(5s);              // blocks this (foreign) thread
//
// run_coroutine_threadsafe posts the creation of a task to the target
// executor (the loop thread, or a strand of a multi-threaded io_context) and
// returns at once a concurrent_future: a thread-safe handle that any thread
// may block on, poll or cancel. The task's outcome is copied into it when
// the task is done.
//
// Thread safety: run_coroutine_threadsafe, call_soon_threadsafe and every
// concurrent_future method may be called from any thread. result() and
// exception() block; calling them on a thread that is running the target
// loop (where they would block the loop the task needs) is an error.
// Lifetime: the task belongs to the loop as any task does; dropping the
// concurrent_future neither cancels nor waits for it. A loop that waits for
// foreign threads must not look idle (taskio reports a deadlock when nothing
// left could complete main): hold an asio::executor_work_guard on it while
// other threads may post (see doc/concurrency.md).

#ifndef TASKIO_THREADSAFE_HPP
#define TASKIO_THREADSAFE_HPP

#include <taskio/config.hpp>
#include <taskio/create_task.hpp>
#include <taskio/detail/loop.hpp>
#include <taskio/detail/loop_gate.hpp>
#include <taskio/exceptions.hpp>
#include <taskio/task.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace taskio {

namespace detail {
template <class T>
class concurrent_state;
}  // namespace detail

/// asyncio's concurrent future of a task created by run_coroutine_threadsafe
/// (Python's concurrent.futures.Future). A copyable, thread-safe handle.
template <class T>
class concurrent_future {
public:
  using value_type = T;
  using duration = std::chrono::steady_clock::duration;

  concurrent_future() noexcept = default;

  /// True for a future returned by run_coroutine_threadsafe.
  bool valid() const noexcept { return static_cast<bool>(s_); }

  /// Blocks until the task is done; its value, or its exception rethrown.
  /// Exceptions: timeout_error once `timeout` passed (the task goes on; it
  /// is NOT cancelled); cancelled_error if the task or this future was
  /// cancelled; std::runtime_error when called on a thread running the
  /// target loop; std::logic_error on an empty future.
  /// A copyable value is copied to every caller; a move-only one is moved
  /// out by the first result() and later calls throw invalid_state_error.
  T result(std::optional<duration> timeout = {}) const { return state()->result(timeout); }

  /// Blocks like result(); the task's exception, or null if it succeeded.
  /// cancelled_error if cancelled.
  std::exception_ptr exception(std::optional<duration> timeout = {}) const {
    return state()->wait(timeout, "taskio::concurrent_future::exception");
  }

  /// If not done: marks the future cancelled at once (result() raises
  /// cancelled_error) and schedules task.cancel() on the task's executor
  /// (the task then unwinds as any cancelled task). False if already done.
  bool cancel() const { return state()->cancel(); }
  bool done() const { return state()->done(); }
  bool cancelled() const { return state()->cancelled(); }

private:
  friend struct detail::access;
  explicit concurrent_future(std::shared_ptr<detail::concurrent_state<T>> s) noexcept : s_(std::move(s)) {}
  detail::concurrent_state<T>* state() const {
    if (!s_) throw std::logic_error("taskio::concurrent_future: empty future");
    return s_.get();
  }
  std::shared_ptr<detail::concurrent_state<T>> s_;
};

/// Schedules `coro` as a task on `loop` (an io_context executor or a strand
/// of one, e.g. runner::get_executor(); from any thread) and returns a
/// concurrent_future of its outcome. The task is created on the target
/// executor (posted), not on the calling thread.
///
/// Exceptions: none at the call; a failure to create the task (e.g. an
/// executor that is not a taskio loop's) goes into the future, and is
/// logged. Once the loop is closed (runner::close after its last round,
/// or the io_context's shutdown) the future fails at once with
/// std::runtime_error "Event loop is closed"; a future still pending when
/// the loop closes fails the same way (never a thread blocked forever).
template <class T, class Executor>
concurrent_future<T> run_coroutine_threadsafe(boost::asio::awaitable<T> coro, const Executor& loop);

/// Runs f() on `ex` (an executor of a taskio loop) as a plain loop callback,
/// from any thread (asyncio's loop.call_soon_threadsafe). f's exceptions are
/// logged; fatal ones (keyboard_interrupt, system_exit) leave the loop.
/// Exceptions: std::invalid_argument for an executor that is not a loop's;
/// std::runtime_error "Event loop is closed" once the loop closed (see
/// run_coroutine_threadsafe).
template <class Executor, class F>
void call_soon_threadsafe(const Executor& ex, F f);

// ---- implementation ----

namespace detail {

/// The non-template part of a concurrent_future's state. Every member is
/// guarded by the mutex.
class TASKIO_DECL concurrent_state_base : public gate_entry {
public:
  using duration = std::chrono::steady_clock::duration;

  ~concurrent_state_base() override;

  bool done() const;
  bool cancelled() const;
  /// Pending: becomes cancelled (waiters wake up) and posts task.cancel() to
  /// the task's executor. False once done.
  bool cancel();
  /// Blocks until done; timeout_error after `timeout`; std::runtime_error on
  /// a thread running the target loop. Then rethrows a cancellation and
  /// returns the stored exception (null on success).
  std::exception_ptr wait(std::optional<duration> timeout, const char* who) const;

  // --- at the call, then on the target executor ---
  /// The loop the task will run on (`self` is this state); the future
  /// joins the loop's gate. std::invalid_argument for an executor that is
  /// not an io_context's or a strand of one; std::runtime_error "Event loop
  /// is closed" once the loop closed.
  void bind(const boost::asio::any_io_executor& ex, const std::shared_ptr<concurrent_state_base>& self);
  /// The loop closed before the task finished (loop_gate::close): a pending
  /// future fails with std::runtime_error "Event loop is closed".
  void fail_closed() override;
  /// Creating the task failed: the future fails with `e`, which is logged.
  void fail_to_start(std::exception_ptr e);
  /// False when the future was cancelled before the task could be created.
  bool pending() const;
  /// Records the task (cancelled at once if the future was cancelled meanwhile).
  void attach(const task_ref& t);

protected:
  enum class status : unsigned char { pending, finished, cancelled };
  void complete(std::unique_lock<std::mutex>& lock, status s, std::exception_ptr e);

  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  status status_ = status::pending;
  std::exception_ptr exception_;
  task_ref task_;
  loop* loop_ = nullptr;
  std::shared_ptr<loop_gate> gate_;  // set by bind, before any other thread sees this state
};

template <class T>
class concurrent_state final : public concurrent_state_base {
public:
  using value_type = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

  /// On the loop: the task's done callback copies its outcome (unless this
  /// future was cancelled meanwhile).
  void copy_from(const task<T>& t) {
    std::unique_lock lock(mutex_);
    task_ = task_ref();
    if (status_ != status::pending) return;
    if (std::exception_ptr e = detail::access::state(t)->stored_exception()) {
      detail::access::state(t)->mark_retrieved();
      complete(lock, t.cancelled() ? status::cancelled : status::finished, std::move(e));
      return;
    }
    if constexpr (std::is_void_v<T>)
      value_.emplace();
    else
      value_.emplace(t.result());
    complete(lock, status::finished, nullptr);
  }

  /// Waits, then the value (a copy; a move-only value is moved out once,
  /// see take_result) or the exception.
  T result(std::optional<duration> timeout) {
    if (auto e = wait(timeout, "taskio::concurrent_future::result")) std::rethrow_exception(e);
    if constexpr (!std::is_void_v<T>) {
      std::lock_guard lock(mutex_);
      return take_result(value_, taken_, "taskio::concurrent_future::result");
    }
  }

private:
  std::optional<value_type> value_;
  bool taken_ = false;
};

}  // namespace detail

namespace detail {
/// A plain loop callback's failure: logged, or rethrown when fatal.
TASKIO_DECL void report_callback_exception(std::exception_ptr e);
}  // namespace detail

template <class T, class Executor>
concurrent_future<T> run_coroutine_threadsafe(boost::asio::awaitable<T> coro, const Executor& loop) {
  auto st = std::make_shared<detail::concurrent_state<T>>();
  try {
    const boost::asio::any_io_executor ex = detail::unwrap_executor(boost::asio::any_io_executor(loop));
    st->bind(ex, st);
    boost::asio::post(ex, [st, ex, coro = std::move(coro)]() mutable {
      if (!st->pending()) return;  // cancelled before it started: the body never runs
      try {
        task<T> t = create_task(ex, std::move(coro));
        t.add_done_callback([st](const task<T>& t) { st->copy_from(t); });
        st->attach(t);
      } catch (...) {
        st->fail_to_start(std::current_exception());
      }
    });
  } catch (...) {
    st->fail_to_start(std::current_exception());
  }
  return detail::access::make<concurrent_future<T>>(std::move(st));
}

template <class Executor, class F>
void call_soon_threadsafe(const Executor& ex, F f) {
  const boost::asio::any_io_executor target = detail::unwrap_executor(boost::asio::any_io_executor(ex));
  detail::loop* l = &detail::loop::of(target);
  l->gate()->check_open("taskio::call_soon_threadsafe");
  boost::asio::post(target, [l, target, f = std::move(f)]() mutable {
    detail::loop_scope scope(l, &target);  // what f schedules runs on `target` too
    try {
      f();
    } catch (...) {
      detail::report_callback_exception(std::current_exception());
    }
  });
}

}  // namespace taskio

#endif  // TASKIO_THREADSAFE_HPP
