//
// taskio/context.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Context variables: Python's contextvars as asyncio's tasks use them.
//
//   inline taskio::context_var<std::string> request_id{"request_id", "-"};
//
//   asio::awaitable<void> handle(request r) {
//     request_id.set(r.id);                 // this task and every task it creates
//     co_await taskio::gather(lookup(r), store(r));   // ... see r.id
//   }
//
// Every piece of code runs in a *context*: a mapping from context variables
// to values. A task runs in its own context, a copy of the context of the
// code that created it (create_task, task_group::create_task, gather of
// awaitables, spawn), or in the context given by task_options::context. A
// value set in a task is therefore seen by the tasks it creates afterwards,
// never by its creator or its siblings. Copies are cheap (the variables are
// shared until one side sets one).
//
// Also in a copy of the current context: done callbacks (of the context
// current when the callback was added), loop callbacks (call_soon,
// call_later, call_at: of the context current when scheduled), the function
// given to to_thread (of the awaiting task's). A taskio::runner keeps one
// context across its run() calls; taskio::run(main) runs main in a copy of
// the calling thread's context. Outside any task, code runs in its thread's
// own context.
//
// Thread safety: a context is used by one thread at a time (a task's, or
// the thread running context::run); context_var objects may be shared by
// every thread.

#ifndef TASKIO_CONTEXT_HPP
#define TASKIO_CONTEXT_HPP

#include <taskio/config.hpp>
#include <taskio/detail/access.hpp>
#include <taskio/detail/context_state.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace taskio {

/// Python's LookupError: context_var::get() of a variable that has no value
/// in the current context and no default.
class TASKIO_DECL lookup_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

template <class T>
class context_var;

namespace detail {
class context_var_base;
}

/// What context_var::set returns: undoes that set with context_var::reset.
/// Copyable; every copy is the same token (one reset for all of them).
class TASKIO_DECL context_token {
public:
  /// True once reset() used the token.
  bool used() const noexcept { return s_->used; }
  /// The name of the variable that made the token.
  const std::string& var_name() const noexcept { return s_->var_name; }

private:
  friend class detail::context_var_base;
  struct state {
    std::uint64_t var;
    std::string var_name;
    std::uint64_t context;
    std::shared_ptr<const void> old_value;  // null: the variable had no value
    bool used = false;
  };
  explicit context_token(std::shared_ptr<state> s) noexcept : s_(std::move(s)) {}
  std::shared_ptr<state> s_;
};

namespace detail {

/// The non-template part of context_var<T>.
class TASKIO_DECL context_var_base {
public:
  explicit context_var_base(std::string name);
  context_var_base(const context_var_base&) = delete;
  context_var_base& operator=(const context_var_base&) = delete;

  const std::string& name() const noexcept { return name_; }
  std::uint64_t id() const noexcept { return id_; }

protected:
  /// The value in the current context, or null.
  const void* lookup() const noexcept { return find_var(current_context().vars, id_); }
  context_token set_value(std::shared_ptr<const void> value);
  void reset_value(const context_token& token);
  [[noreturn]] void throw_lookup_error() const;

private:
  std::uint64_t id_;
  std::string name_;
};

}  // namespace detail

/// Python's contextvars.ContextVar: a variable whose value depends on the
/// context the code runs in (see the header comment). Declare it once
/// (a namespace-scope `inline` variable, or a static member) and use it
/// from every task; it is neither copyable nor movable, since a variable
/// is known by its identity. T must be copy-constructible (get() returns a
/// copy).
template <class T>
class context_var : public detail::context_var_base {
  static_assert(std::is_copy_constructible_v<T>, "taskio::context_var<T>: T must be copy-constructible");

public:
  /// A variable without a default: get() throws lookup_error until set.
  explicit context_var(std::string name) : context_var_base(std::move(name)) {}
  /// A variable whose get() returns `default_value` until set.
  context_var(std::string name, T default_value)
      : context_var_base(std::move(name)), default_(std::move(default_value)) {}

  /// The value in the current context, else the default.
  /// Exceptions: lookup_error when there is neither.
  T get() const;
  /// The value in the current context, else `fallback` (even when the
  /// variable has a default, as ContextVar.get(default)).
  T get(T fallback) const;
  /// Sets the value in the current context; the token undoes it (reset).
  context_token set(T value) { return set_value(std::make_shared<const T>(std::move(value))); }
  /// Restores the value the variable had before the set() that made
  /// `token` (or no value).
  /// Exceptions: std::runtime_error when the token was already used;
  /// std::invalid_argument when it was made by another variable or in
  /// another context.
  void reset(const context_token& token) { reset_value(token); }

  /// The default value, if any.
  const std::optional<T>& default_value() const noexcept { return default_; }

private:
  std::optional<T> default_;
};

/// Python's contextvars.Context: a mapping from context variables to
/// values. A handle: copies refer to the same context (a task created with
/// task_options{.context = c} runs in c itself and its sets are seen by
/// whoever reads c); copy() / copy_context() make a new one.
class TASKIO_DECL context {
public:
  /// A new, empty context (Python's Context()).
  context();

  /// The value of `var` in this context (empty when it holds none; the
  /// variable's default does not count).
  template <class T>
  std::optional<T> get(const context_var<T>& var) const;
  template <class T>
  bool contains(const context_var<T>& var) const noexcept {
    return detail::find_var(impl_->vars, var.id()) != nullptr;
  }
  /// The number of variables with a value in this context.
  std::size_t size() const noexcept { return impl_->vars ? impl_->vars->size() : 0; }
  /// A new context with the same values.
  context copy() const;

  /// Calls f(args...) with this context as the current one, and returns
  /// its result: what f sets stays in this context.
  /// Exceptions: std::runtime_error "cannot enter context: ... is already
  /// entered" when this context is current on this thread already (inside
  /// a task running in it, or inside run()); what f throws.
  template <class F, class... Args>
  decltype(auto) run(F&& f, Args&&... args) const;

  friend bool operator==(const context& a, const context& b) noexcept { return a.impl_ == b.impl_; }

private:
  friend struct detail::access;
  explicit context(detail::ref_ptr<detail::context_impl> impl) noexcept : impl_(std::move(impl)) {}
  detail::context_impl* state() const noexcept { return impl_.get(); }

  class TASKIO_DECL enter_guard {
  public:
    explicit enter_guard(detail::context_impl& c);
    ~enter_guard();
    enter_guard(const enter_guard&) = delete;
    enter_guard& operator=(const enter_guard&) = delete;

  private:
    detail::context_impl& c_;
    detail::context_impl* prev_;
  };

  detail::ref_ptr<detail::context_impl> impl_;
};

/// A copy of the current context (Python's contextvars.copy_context()).
TASKIO_DECL context copy_context();

// ---- implementation ----

template <class T>
T context_var<T>::get() const {
  if (const void* v = lookup()) return *static_cast<const T*>(v);
  if (default_) return *default_;
  throw_lookup_error();
}

template <class T>
T context_var<T>::get(T fallback) const {
  if (const void* v = lookup()) return *static_cast<const T*>(v);
  return fallback;
}

template <class T>
std::optional<T> context::get(const context_var<T>& var) const {
  if (const void* v = detail::find_var(impl_->vars, var.id())) return *static_cast<const T*>(v);
  return std::nullopt;
}

template <class F, class... Args>
decltype(auto) context::run(F&& f, Args&&... args) const {
  enter_guard guard(*impl_);
  return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
}

}  // namespace taskio

#endif  // TASKIO_CONTEXT_HPP
