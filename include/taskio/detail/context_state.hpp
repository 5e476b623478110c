//
// taskio/detail/context_state.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The state behind taskio::context (context.hpp), asyncio's contextvars.
//
// A context's variables are an immutable vector of (variable id, value)
// sorted by id, shared by every copy of the context: copy_context() copies
// one pointer; set() builds a new vector (copy on write, as CPython's HAMT:
// a context rarely holds more than a handful of variables, so the copy is a
// few words). The thread's *current* context is one thread-local pointer:
// a task's step stores its task's context there and restores the previous
// one after (one store in, one out); context::run does the same. Null means
// "the thread's own context" (outside any task), made on first use.
//
// A task embeds its own context (task_context): creating a task allocates
// nothing for it; a handle to it (task.get_context()) keeps the task's state
// alive instead.

#ifndef TASKIO_DETAIL_CONTEXT_STATE_HPP
#define TASKIO_DETAIL_CONTEXT_STATE_HPP

#include <taskio/config.hpp>
#include <taskio/detail/ref_ptr.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace taskio::detail {

/// One variable's value in a context (type-erased, immutable once made).
struct context_entry {
  std::uint64_t var;
  std::shared_ptr<const void> value;
};

/// The variables of a context, sorted by variable id; null = none.
using context_vars = std::shared_ptr<const std::vector<context_entry>>;

/// The value of variable `var` in `vars`, or null.
TASKIO_DECL const void* find_var(const context_vars& vars, std::uint64_t var) noexcept;
/// A new vector: `vars` with `var` set to `value` (removed when `value` is null).
TASKIO_DECL context_vars with_var(const context_vars& vars, std::uint64_t var, std::shared_ptr<const void> value);

/// A context. Reference-counted by itself, or (a task's own context) by the
/// task state it is embedded in.
class TASKIO_DECL context_impl {
public:
  context_impl() noexcept = default;
  explicit context_impl(context_vars v, const ref_counted* owner = nullptr) noexcept
      : vars(std::move(v)), owner_(owner) {}
  context_impl(const context_impl&) = delete;
  context_impl& operator=(const context_impl&) = delete;

  void add_ref() const noexcept {
    if (owner_)
      owner_->add_ref();
    else
      refs_.fetch_add(1, std::memory_order_relaxed);
  }
  void release() const noexcept {
    if (owner_)
      owner_->release();
    else if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      delete this;
  }

  /// An id unique among every context of the process (tokens remember the
  /// context by it), assigned on first use.
  std::uint64_t id() const noexcept;

  context_vars vars;
  bool entered = false;  // by context::run

private:
  mutable std::atomic<long> refs_{0};
  const ref_counted* owner_ = nullptr;
  mutable std::uint64_t id_ = 0;
};

/// The thread's current context (null: the thread's own, see current_context()).
struct context_tls {
  static context_impl*& current() noexcept { return current_; }

private:
  static inline thread_local context_impl* current_ = nullptr;
};

/// The thread's own context (made on first use): current outside any task.
TASKIO_DECL context_impl& thread_context();

/// The context code on this thread runs in.
inline context_impl& current_context() {
  context_impl* c = context_tls::current();
  return c ? *c : thread_context();
}

/// Makes `c` the thread's current context for a scope.
class context_scope {
public:
  explicit context_scope(context_impl* c) noexcept : prev_(std::exchange(context_tls::current(), c)) {}
  ~context_scope() { context_tls::current() = prev_; }
  context_scope(const context_scope&) = delete;
  context_scope& operator=(const context_scope&) = delete;

private:
  context_impl* prev_;
};

/// `f` made to run in a copy of the context current when it was wrapped
/// (done callbacks, loop callbacks, to_thread's function): what it sets is
/// never seen by anyone else. The copy lives on the stack while f runs.
template <class F>
struct in_context_copy {
  context_vars vars;
  F f;
  template <class... A>
  decltype(auto) operator()(A&&... a) {
    context_impl copy(vars);
    context_scope scope(&copy);
    return f(std::forward<A>(a)...);
  }
};
template <class F>
in_context_copy<F> bind_context_copy(F f) {
  return in_context_copy<F>{current_context().vars, std::move(f)};
}

/// A task's context: its own copy of its creator's context, embedded in
/// the task's state (owner), or the context given by task_options::context.
class task_context {
public:
  task_context(const ref_counted& owner, ref_ptr<context_impl> given)
      : own_(given ? context_vars() : current_context().vars, &owner), given_(std::move(given)) {
    active_ = given_ ? given_.get() : &own_;
  }
  context_impl* get() const noexcept { return active_; }

private:
  context_impl own_;
  ref_ptr<context_impl> given_;
  context_impl* active_;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_CONTEXT_STATE_HPP
