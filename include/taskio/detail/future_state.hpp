//
// taskio/detail/future_state.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The shared state behind taskio::future<T> and (as a base) taskio::task<T>:
// asyncio's Future state machine PENDING -> FINISHED(value | exception) or
// CANCELLED, its ordered list of done callbacks, and the "exception was never
// retrieved" bookkeeping.
//
// Done callbacks and the wake-ups of awaiters share ONE ordered list of
// completion nodes, so everything registered on a future is scheduled in
// registration order at the moment it completes (doc/semantics.md 1, scheduling model; item 3).

#ifndef TASKIO_DETAIL_FUTURE_STATE_HPP
#define TASKIO_DETAIL_FUTURE_STATE_HPP

#include <taskio/config.hpp>
#include <taskio/detail/intrusive_list.hpp>
#include <taskio/detail/ref_ptr.hpp>
#include <taskio/exceptions.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace taskio {
using callback_id = std::uint64_t;
}

namespace taskio::detail {

class loop;
class future_state_base;

/// A registration on a future: fired once, at completion, in order.
struct completion_node : list_hook<completion_node> {
  /// Called at completion with the node already unlinked. Must only
  /// schedule work; the node may delete itself.
  void (*fire)(completion_node*, future_state_base&) = nullptr;
  /// Frees a node still registered when its future is destroyed (null:
  /// the node is owned elsewhere).
  void (*destroy)(completion_node*) = nullptr;
};

/// A future's completion nodes, in registration order.
using completion_list = intrusive_list<completion_node, completion_node>;

/// A done callback registered on a future (its callable in callback_node<F>).
struct TASKIO_DECL callback_node_base : completion_node {
  callback_id id = 0;
  callback_node_base();
  virtual ~callback_node_base() = default;
  /// Frees any callback node (also how remove_done_callback recognises one).
  static void on_destroy(completion_node* n);
};

enum class future_status : std::uint8_t { pending, finished, cancelled };

/// Runs a plain loop callback: sets the thread's running loop (and `ex`, the
/// executor it runs on, where the callbacks it schedules run); report()
/// logs an exception, or rethrows a fatal one (keyboard_interrupt, ...).
class TASKIO_DECL callback_scope {
public:
  explicit callback_scope(loop* l, const boost::asio::any_io_executor* ex = nullptr) noexcept;
  ~callback_scope();
  callback_scope(const callback_scope&) = delete;
  callback_scope& operator=(const callback_scope&) = delete;
  void report(std::exception_ptr e);

private:
  loop* prev_loop_;
  void* prev_task_;
  const boost::asio::any_io_executor* prev_executor_;
};

/// Non-template part of a future's state. Touched only on its executor.
class TASKIO_DECL future_state_base : public ref_counted {
public:
  future_state_base(loop& l, boost::asio::any_io_executor ex);
  ~future_state_base() override;

  loop& get_loop() const noexcept { return *loop_; }
  /// loop::check_thread (nothing once the loop is gone).
  void check_thread(const char* who) const;
  /// Where callbacks are scheduled: the loop's executor, or the task's.
  const boost::asio::any_io_executor& executor() const noexcept { return ex_; }

  bool done() const noexcept { return status_ != future_status::pending; }
  bool cancelled() const noexcept { return status_ == future_status::cancelled; }
  future_status status() const noexcept { return status_; }

  /// asyncio Future.cancel(msg); tasks override it (Task.cancel).
  virtual bool cancel(std::string msg);

  /// Throws what result() must throw when no value can be returned: pending
  /// -> invalid_state_error, cancelled -> cancelled_error, failed -> the
  /// exception. Marks the exception retrieved. Returns normally on success.
  void check_result(const char* who);
  /// asyncio exception(): pending -> invalid_state_error, cancelled ->
  /// cancelled_error, else the exception or null. Marks it retrieved.
  std::exception_ptr exception(const char* who);
  /// The stored exception (a cancelled_error when cancelled), no checks.
  const std::exception_ptr& stored_exception() const noexcept { return exception_; }
  void mark_retrieved() noexcept { log_unretrieved_ = false; }

  // --- completion (pending only; invalid_state_error otherwise) ---
  void set_exception(std::exception_ptr e, const char* who);
  /// Cancels with a message: status cancelled, callbacks scheduled.
  void set_cancelled(std::exception_ptr cancelled_error);

  // --- callbacks ---
  void add_node(completion_node* n);   // n fires at once (scheduled) if done
  void remove_node(completion_node* n) noexcept { callbacks_.erase(*n); }
  /// This future will never complete (its task was destroyed pending, or
  /// the future itself goes): unlinks every node, freeing those it owns.
  void drop_nodes() noexcept;
  /// Schedules f(future_state_base&) as a loop callback once done (at once
  /// if done already); returns its id for remove_done_callback.
  template <class F>
  callback_id add_done_callback(F f);
  std::size_t remove_done_callback(callback_id id) noexcept;

  /// Schedules `f` on this future's executor as a plain loop callback (the
  /// thread's current loop is set while it runs; exceptions other than the
  /// fatal ones are logged). `f` keeps this state alive.
  template <class F>
  void post_callback(F&& f) {
    auto call = [l = loop_, ex = &ex_, f = std::forward<F>(f)]() mutable {
      callback_scope scope(l, ex);
      try {
        f();
      } catch (...) {
        scope.report(std::current_exception());
      }
    };
    // the common case without the type-erased hop (one allocation less)
    if (const auto* io = ex_.target<boost::asio::io_context::executor_type>())
      boost::asio::post(*io, std::move(call));
    else
      boost::asio::post(ex_, std::move(call));
  }

  /// "<Future pending>" / "<Task finished name='...' ...>".
  virtual std::string repr() const;
  /// "Future" or "Task" (used in messages).
  virtual const char* kind() const noexcept { return "Future"; }

protected:
  /// Moves to a terminal state and schedules every registered node.
  void complete(future_status s);
  void check_pending(const char* who) const;

  loop* loop_;
  boost::asio::any_io_executor ex_;
  future_status status_ = future_status::pending;
  bool log_unretrieved_ = false;
  std::exception_ptr exception_;
  completion_list callbacks_;
};

/// A done callback holding its callable inline. At completion it is posted
/// itself, as a loop callback (no std::function, one small posted handler),
/// holding the future until it ran.
template <class F>
struct callback_node final : callback_node_base {
  using allocator = boost::asio::recycling_allocator<callback_node>;
  F fn;
  ref_ptr<future_state_base> state;  // set when fired

  explicit callback_node(F&& f) : fn(std::move(f)) { fire = &on_fire; }

  static callback_node* make(F&& f) {
    allocator alloc;
    callback_node* p = alloc.allocate(1);
    try {
      return ::new (static_cast<void*>(p)) callback_node(std::move(f));
    } catch (...) {
      alloc.deallocate(p, 1);
      throw;
    }
  }
  static void operator delete(void* p, std::size_t) { allocator().deallocate(static_cast<callback_node*>(p), 1); }

  /// The posted handler: runs the callable once, frees the node either way.
  struct owner {
    callback_node* n;
    explicit owner(callback_node* p) noexcept : n(p) {}
    owner(owner&& o) noexcept : n(std::exchange(o.n, nullptr)) {}
    ~owner() { delete n; }
    void operator()() { n->fn(*n->state); }
  };

  static void on_fire(completion_node* node, future_state_base& s) {
    auto* c = static_cast<callback_node*>(node);
    c->state = ref_ptr<future_state_base>(&s);
    s.post_callback(owner(c));
  }
};

template <class F>
callback_id future_state_base::add_done_callback(F f) {
  auto* n = callback_node<F>::make(std::move(f));
  const callback_id id = n->id;
  add_node(n);
  return id;
}

/// What retrieving a result gives (task/future result(), awaiting, the
/// combinators): a copy for copyable T, so every awaiter gets the value; for
/// a move-only T the first retrieval moves the value out and every later one
/// throws invalid_state_error (never a moved-from object).
template <class T>
T take_result(std::optional<T>& value, bool& taken, const char* who) {
  if constexpr (std::is_copy_constructible_v<T>) {
    return *value;
  } else {
    if (taken)
      throw invalid_state_error(std::string(who) +
                                ": the move-only result was already taken (moved out by an earlier retrieval)");
    taken = true;
    return std::move(*value);
  }
}

/// The result slot of a future<T> / task<T>.
template <class T>
class result_slot {
public:
  template <class U>
  void store(U&& v) {
    value_.emplace(std::forward<U>(v));
  }
  /// The stored value (see take_result). Only once the state finished
  /// successfully.
  T take_value(const char* who) { return take_result(value_, taken_, who); }

private:
  std::optional<T> value_;
  bool taken_ = false;
};

template <>
class result_slot<void> {
public:
  void store() noexcept {}
  void take_value(const char*) noexcept {}
};

/// The value argument of a wait handler: T, or std::optional<T> when T has
/// no default constructor (a failed wait has no T to pass; Asio's own
/// co_spawn requires T() there).
template <class T>
using wait_value_t = std::conditional_t<std::is_default_constructible_v<T>, T, std::optional<T>>;

/// Completion signature of waiting on a T: void(exception_ptr, T), or
/// void(exception_ptr) for void; void(exception_ptr, std::optional<T>) for a
/// T without a default constructor (awaiting with use_awaitable still
/// returns T: see async_wait).
template <class T>
struct wait_signature {
  using type = void(std::exception_ptr, wait_value_t<T>);
};
template <>
struct wait_signature<void> {
  using type = void(std::exception_ptr);
};
template <class T>
using wait_signature_t = typename wait_signature<T>::type;

/// Invokes a wait handler with an exception, or with the value of `target`
/// (a future_state<T> / task_state<T>, may be null), taken as take_result
/// says (a move-only value already taken gives invalid_state_error). The
/// handler may resume the awaiter inline, for as long as it runs until it
/// suspends again, so `target` (a gather's state holds every child) is
/// released first, after the value was taken out.
template <class T, class Handler, class State>
void invoke_wait_handler(Handler& h, std::exception_ptr e, ref_ptr<State> target) {
  if constexpr (std::is_void_v<T>) {
    target = nullptr;
    std::move(h)(std::move(e));
  } else {
    std::optional<T> value;
    if (!e && target) {
      try {
        value.emplace(target->take_value("taskio: awaiting a result"));
      } catch (...) {
        e = std::current_exception();
      }
    } else if (!e) {
      e = std::make_exception_ptr(invalid_state_error("taskio: awaiting a result: no state"));
    }
    target = nullptr;
    if (e)
      std::move(h)(std::move(e), wait_value_t<T>{});
    else
      std::move(h)(std::exception_ptr(), wait_value_t<T>(std::move(*value)));
  }
}

/// future<T>'s state.
template <class T>
class future_state final : public future_state_base, public result_slot<T> {
public:
  using future_state_base::future_state_base;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_FUTURE_STATE_HPP
