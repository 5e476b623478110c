//
// taskio/detail/loop.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The per-io_context state of taskio (an Asio service): the loop clock (real
// or virtual), the timer queue (timer_queue.hpp) with the one Asio timer
// that wakes it, the registry of pending tasks, the thread that drives it.
// Beside it, services of their own: the to_thread pool (thread_pool.hpp);
// the driver of taskio::run / runner and its Ctrl-C flag live in the run
// layer (lib/driver.hpp). Everything here is thread-safe; the hot paths take
// one uncontended mutex.

#ifndef TASKIO_DETAIL_LOOP_HPP
#define TASKIO_DETAIL_LOOP_HPP

#include <taskio/clock.hpp>
#include <taskio/config.hpp>
#include <taskio/detail/asio_compat.hpp>
#include <taskio/detail/intrusive_list.hpp>
#include <taskio/detail/thread_pool.hpp>
#include <taskio/detail/timer_queue.hpp>
#include <taskio/detail/loop_gate.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace taskio::detail {

class driver;
class future_state_base;
class task_state_base;
struct registry_tag;

/// A wait queue bound to a loop, as the loop sees it (the queue itself,
/// detail/wait_queue.hpp, sits above the kernel). At shutdown the loop has
/// every bound queue hand over the waiters still parked, then destroys them
/// unrun: nothing else owns them once the io_context goes.
class TASKIO_DECL parking_lot : public list_hook<parking_lot> {
public:
  /// One parked waiter, as the loop sees it at shutdown (its hook is the
  /// queue's link: a waiter is in one list at a time).
  class orphan : public list_hook<orphan> {
  public:
    /// Destroyed without completing; the awaiter no longer counts on it.
    virtual void destroy_unrun() noexcept = 0;

  protected:
    ~orphan() = default;
  };
  /// Moves the waiters still parked to `out` and unbinds the queue (under
  /// the loop's lock).
  virtual void orphan_parked(intrusive_list<orphan, orphan>& out) noexcept = 0;

protected:
  ~parking_lot() = default;
};

class TASKIO_DECL loop : public boost::asio::execution_context::service {
public:
  static boost::asio::execution_context::id id;

  explicit loop(boost::asio::io_context& io);
  ~loop() override;

  /// The taskio loop of an io_context (created on first use).
  static loop& of(boost::asio::io_context& io);
  /// The loop of the io_context an executor submits to (an io_context
  /// executor or a strand of one); others are rejected with
  /// std::invalid_argument.
  static loop& of(const boost::asio::any_io_executor& ex);

  /// The loop running on this thread: inside a task's step, a taskio
  /// callback, or taskio::run; null elsewhere.
  static loop* current() noexcept;

  boost::asio::io_context& context() noexcept { return io_; }
  /// Queues an operation of the kernel's own (no allocation) on the
  /// io_context, exactly where boost::asio::post would queue a handler. Its
  /// completion function is called with a null owner if it is destroyed
  /// unrun (io_context shutdown).
  void post_operation(asio_compat::scheduler_operation* op) { asio_compat::post_immediate(scheduler_, op); }
  boost::asio::io_context::executor_type get_executor() noexcept { return io_.get_executor(); }
  /// The io_context's scheduler (its run queue).
  asio_compat::scheduler* run_queue() noexcept { return &scheduler_; }

  // --- configuration (runner, before anything runs) ---
  void configure(bool virtual_time, bool debug, clock::duration slow_step, std::size_t threads);
  bool virtual_time() const noexcept { return virtual_; }
  bool debug() const noexcept { return debug_; }
  /// The io_context was created with concurrency hint 1 (one thread).
  bool single_thread() const noexcept { return single_thread_; }
  clock::duration slow_step() const noexcept { return slow_step_; }
  /// run_options::eager_tasks: new tasks start eagerly unless their
  /// task_options say otherwise.
  void set_eager_tasks(bool on) noexcept { eager_tasks_ = on; }
  bool eager_tasks() const noexcept { return eager_tasks_; }
  /// run_options::slow_wait_duration (debug mode, lib/slow_wait.hpp).
  void set_slow_wait(clock::duration d) noexcept { slow_wait_ = d; }
  clock::duration slow_wait() const noexcept { return slow_wait_; }

  // --- time ---
  clock::time_point now() const noexcept;
  /// Virtual time only: the clock moves by d, nothing runs.
  void advance(clock::duration d);

  // --- timers (thread-safe) ---
  void add_timer(timer_node& n);
  /// Removes n if it is still queued; false once it fired (or was removed).
  bool remove_timer(timer_node& n);
  std::optional<clock::time_point> next_deadline();

  // --- registry of pending tasks (thread-safe) ---
  void register_task(task_state_base& t);
  void unregister_task(task_state_base& t);
  /// The pending tasks, each with a reference added (caller releases).
  std::vector<task_state_base*> pending_tasks();

  // --- wait queues (wait_queue.hpp): their parked waiters are destroyed at shutdown ---
  void bind_queue(parking_lot& q);
  void unbind_queue(parking_lot& q) noexcept;

  // --- loop-local executor references (task_state.hpp, task_executor) ---
  /// A finished task still counting local references (on the loop's thread):
  /// listed so that shutdown can close them. Unlisted when the last goes.
  void list_local(task_state_base& t) noexcept;
  void unlist_local(task_state_base& t) noexcept;

  /// The to_thread pool (a service of its own, thread_pool.hpp).
  thread_pool_service& thread_pool() noexcept { return pool_; }

  // --- other threads (run_coroutine_threadsafe, call_soon_threadsafe) ---
  const std::shared_ptr<loop_gate>& gate() const noexcept { return gate_; }

  /// The calls that are not thread-safe (cancel, set_result, ...) check
  /// that they are not made from another thread than the one driving the
  /// loop (taskio::run / runner): std::logic_error naming `who` and the
  /// thread-safe alternative. A loop driven by the user's io_context::run
  /// is not checked.
  void check_thread(const char* who) const {
    const std::thread::id driver = driver_thread_.load(std::memory_order_relaxed);
    if (driver != std::thread::id() && driver != std::this_thread::get_id()) foreign_thread(who);
  }

  /// Fires every timer whose deadline has passed (posts their handlers).
  std::size_t fire_due_timers();

private:
  void shutdown() override;
  friend class driver;  // lib/driver.hpp: sets driver_ and driver_thread_
  void arm_locked();
  void on_steady_timer(std::uint64_t generation);
  [[noreturn]] static void foreign_thread(const char* who);

  /// The loop's lock; a no-op on an io_context created with concurrency
  /// hint 1 (taskio::run's), whose taskio structures are touched by the
  /// loop thread only (cross-thread entry points post to it).
  std::unique_lock<std::mutex> lock() {
    return single_thread_ ? std::unique_lock<std::mutex>() : std::unique_lock<std::mutex>(mutex_);
  }

  boost::asio::io_context& io_;
  asio_compat::scheduler& scheduler_;
  bool single_thread_;
  std::atomic<std::thread::id> driver_thread_{};  // the thread driving the loop (taskio::run / runner)
  driver* driver_ = nullptr;                      // its driver (on that thread only)
  std::mutex mutex_;
  timer_queue timers_;
  std::uint64_t timer_seq_ = 0;
  bool virtual_ = false;
  bool debug_ = false;
  bool eager_tasks_ = false;
  clock::duration slow_step_ = std::chrono::milliseconds(100);
  clock::duration slow_wait_ = std::chrono::seconds(10);
  clock::time_point virtual_now_{};
  // real time: one Asio timer armed at the earliest deadline
  std::optional<boost::asio::steady_timer> steady_;
  std::optional<clock::time_point> armed_at_;
  std::uint64_t arm_generation_ = 0;
  // registry: pending tasks, in creation order
  intrusive_list<task_state_base, registry_tag> tasks_;
  // finished tasks whose local executor references are still counted (the
  // registry's hook, free once a task is done; single-threaded loops only)
  intrusive_list<task_state_base, registry_tag> local_tasks_;
  // the wait queues bound to this loop (wait_queue::bind), for shutdown
  intrusive_list<parking_lot, parking_lot> queues_;
  // every live loop, for debuggers (lib/loop.cpp: all_loops)
  loop* all_next_ = nullptr;
  thread_pool_service& pool_;  // the to_thread pool, joined by shutdown()
  // run_coroutine_threadsafe / call_soon_threadsafe
  std::shared_ptr<loop_gate> gate_ = std::make_shared<loop_gate>();
};

/// Sets the thread's current loop for a scope, with no current task; `ex`
/// (may be null) is the executor the code in the scope runs on (a loop
/// callback's: what it schedules runs there too).
class TASKIO_DECL loop_scope {
public:
  explicit loop_scope(loop* l, const boost::asio::any_io_executor* ex = nullptr) noexcept;
  ~loop_scope();
  loop_scope(const loop_scope&) = delete;
  loop_scope& operator=(const loop_scope&) = delete;

private:
  loop* prev_loop_;
  task_state_base* prev_task_;
  const boost::asio::any_io_executor* prev_executor_;
};

/// The thread's current loop and task: set by the step hook, taskio
/// callbacks and the driver; and the executor of the loop callback running
/// on this thread (callback_executor(), callback_timer.hpp; ignored while a
/// task is current).
struct thread_state {
  static loop*& current_loop() noexcept { return values_.loop_; }
  static task_state_base*& current_task() noexcept { return values_.task_; }
  static const boost::asio::any_io_executor*& current_executor() noexcept { return values_.executor_; }
  /// The task whose step runs a plain coroutine on this thread (a co_spawn
  /// started inline on the task's executor; current_task() is then empty).
  static task_state_base*& foreign_step_owner() noexcept { return values_.foreign_step_owner_; }

private:
  // one thread-local object: one TLS address per step hook, also where
  // thread-local access goes through __tls_get_addr (shared libraries)
  struct values {
    loop* loop_;
    task_state_base* task_;
    const boost::asio::any_io_executor* executor_;
    task_state_base* foreign_step_owner_;
  };
  static inline thread_local values values_{};  // all null
};

/// Requires a running loop; std::runtime_error "<who>: no running event loop".
TASKIO_DECL loop& running_loop(const char* who);

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_LOOP_HPP
