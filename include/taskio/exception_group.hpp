//
// taskio/exception_group.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::exception_group: Python's ExceptionGroup / BaseExceptionGroup. An
// immutable, ordered, non-empty list of exceptions (held as
// std::exception_ptr) with a message; members may themselves be groups. A
// task_group raises one when children fail: the children's errors in
// completion order, the body's error last.
//
// One type serves both Python classes. A group is always a std::exception,
// even when a member is not (a cancelled_error, a fatal error, an int): in
// Python that group would be a BaseExceptionGroup. The distinction Python
// makes with `eg.split(Exception)` is what split<std::exception>() does
// here: a type that is not exception_group (or derived from it) is matched
// against the leaves only, never against a group as a whole, so
// `split<std::exception>()` separates ordinary errors from cancellations.
//
// split()/subgroup() keep the nesting and the messages of the original
// (Python's derive()): partially matching nested groups are rebuilt with
// their message, and every leaf is the same exception object as in the
// original group. except_star() handles members by type like Python's
// `except*` clauses.
//
// Lifetime and thread safety: a group is immutable and cheap to copy (its
// contents are shared); it may be read from any thread. what() is formatted
// once, at construction.

#ifndef TASKIO_EXCEPTION_GROUP_HPP
#define TASKIO_EXCEPTION_GROUP_HPP

#include <taskio/config.hpp>

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace taskio {

class exception_group;

/// The (match, rest) pair returned by exception_group::split; either part
/// is empty when nothing belongs to it.
using split_result = std::pair<std::optional<exception_group>, std::optional<exception_group>>;

namespace detail {
struct group_matcher;
}

/// Python's ExceptionGroup: a message and a non-empty ordered list of
/// exceptions (possibly groups themselves).
class TASKIO_DECL exception_group : public std::exception {
public:
  /// std::invalid_argument if `exceptions` is empty or holds a null
  /// exception_ptr (Python raises ValueError / TypeError).
  exception_group(std::string message, std::vector<std::exception_ptr> exceptions);

  /// The message given at construction (Python's eg.message).
  const std::string& message() const noexcept;
  /// The direct members, in order (Python's eg.exceptions).
  const std::vector<std::exception_ptr>& exceptions() const noexcept;
  /// The number of direct members.
  std::size_t size() const noexcept;

  /// The message with the member count, then one line per member, nested
  /// groups indented, like Python's traceback of a group:
  ///
  ///     unhandled errors in a TaskGroup (2 sub-exceptions)
  ///       +-- 1: boom
  ///       +-- 2: inner (1 sub-exception)
  ///           +-- 1: bad
  ///
  /// As in Python, at most 15 members per group and 10 levels are shown.
  const char* what() const noexcept override;

  /// Every non-group exception, depth-first, in order.
  std::vector<std::exception_ptr> leaves() const;

  /// A group with this group's message and other members (Python's derive();
  /// split and subgroup build their parts with it).
  exception_group derive(std::vector<std::exception_ptr> exceptions) const;

  /// Splits by type: `match` holds the leaves that are an E, `rest` the
  /// others, both with this group's structure and messages. If E is
  /// exception_group or derived from it, groups are tested too and a
  /// matching group is taken whole (split<exception_group>() returns the
  /// whole group as the match).
  template <class E>
  split_result split() const;

  /// Splits by a predicate `pred(const std::exception_ptr&) -> bool`. As in
  /// Python the predicate is asked about the groups too, the outer group
  /// first (it then sees a copy of this group), and a group it accepts is
  /// taken whole.
  template <class Pred>
    requires std::is_invocable_r_v<bool, Pred&, const std::exception_ptr&>
  split_result split(Pred pred) const;

  /// The `match` part of split<E>() (empty if nothing matches).
  template <class E>
  std::optional<exception_group> subgroup() const;

  /// The `match` part of split(pred).
  template <class Pred>
    requires std::is_invocable_r_v<bool, Pred&, const std::exception_ptr&>
  std::optional<exception_group> subgroup(Pred pred) const;

private:
  /// The type-erased core of split and subgroup (`want_rest` false: the
  /// second part stays empty).
  split_result split_by(const detail::group_matcher& m, bool want_rest) const;

  template <class E>
  split_result split_by_type(bool want_rest) const;

  struct data;
  std::shared_ptr<const data> d_;
};

/// Python's `except*` clauses as a function. `e` is the caught exception (a
/// group or a single exception); each handler takes one exception by
/// reference (`[](const std::runtime_error& x) { ... }`) and stands for one
/// `except* E:` clause. Clauses run in order; each receives, one call per
/// leaf and depth-first, the leaves of its type that no earlier clause took.
///
/// Afterwards, like Python:
///  * everything handled and nothing raised: returns normally;
///  * unhandled leaves (and leaves a handler re-raised with `throw;`) are
///    rethrown as a group with the original structure and messages (the
///    original object itself if no leaf was handled);
///  * exceptions a handler threw are collected; they are rethrown as
///    exception_group("", {raised..., unhandled group}).
/// A single non-group exception is treated as a group of one, and rethrown
/// as itself (not wrapped) when unhandled or replaced by a handler's
/// exception.
///
///     try {
///       co_await taskio::async_with(taskio::task_group{}, body);
///     } catch (...) {
///       taskio::except_star(std::current_exception(),
///           [&](const std::system_error& e) { log(e.what()); },
///           [&](const taskio::timeout_error&) { ++timeouts; });
///     }
///
/// Exceptions: the rest as above; std::invalid_argument for a null `e`.
/// A clause for exception_group itself is rejected at compile time (Python
/// rejects `except* ExceptionGroup` too).
template <class... Handlers>
void except_star(const std::exception_ptr& e, Handlers&&... handlers);

// ---- implementation ----

namespace detail {

/// A type-erased node test for split/subgroup: `test(ctx, e)` is asked about
/// leaves, and about groups too when `test_groups` (a group it accepts is
/// taken whole). Nodes are visited depth-first, each once, the outer group
/// first.
struct group_matcher {
  bool (*test)(const void* ctx, const std::exception_ptr& e) = nullptr;
  const void* ctx = nullptr;
  bool test_groups = false;
};

/// True when `e` holds an object of type E (or derived).
template <class E>
bool holds(const void*, const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const E&) {
    return true;
  } catch (...) {
    return false;
  }
}

template <class Pred>
bool call_predicate(const void* ctx, const std::exception_ptr& e) {
  return static_cast<bool>((*static_cast<Pred*>(const_cast<void*>(ctx)))(e));
}

/// The parameter type of a handler given to except_star (a function
/// object with one non-template operator(), or a function pointer).
template <class F>
struct handler_arg : handler_arg<decltype(&F::operator())> {};
template <class R, class A>
struct handler_arg<R (*)(A)> {
  using type = A;
};
template <class R, class A>
struct handler_arg<R(A)> {
  using type = A;
};
template <class C, class R, class A>
struct handler_arg<R (C::*)(A)> {
  using type = A;
};
template <class C, class R, class A>
struct handler_arg<R (C::*)(A) const> {
  using type = A;
};
template <class C, class R, class A>
struct handler_arg<R (C::*)(A) noexcept> {
  using type = A;
};
template <class C, class R, class A>
struct handler_arg<R (C::*)(A) const noexcept> {
  using type = A;
};

/// One except_star clause, type-erased: `handle(fn, leaf)` returns false
/// when the leaf is not of the clause's type, else runs the handler inside
/// a catch block (so `throw;` re-raises the leaf) and returns true.
struct star_clause {
  bool (*handle)(void* fn, const std::exception_ptr& leaf) = nullptr;
  void* fn = nullptr;
};

template <class F>
using handler_arg_t = typename handler_arg<std::remove_cvref_t<F>>::type;

template <class F>
bool handle_leaf(void* fn, const std::exception_ptr& leaf) {
  using A = handler_arg_t<F>;
  try {
    std::rethrow_exception(leaf);
  } catch (A x) {
    (*static_cast<F*>(fn))(x);
    return true;
  } catch (...) {
    return false;
  }
}

TASKIO_DECL void except_star(const std::exception_ptr& e, const star_clause* clauses, std::size_t n);

}  // namespace detail

template <class E>
split_result exception_group::split() const {
  return split_by_type<E>(true);
}

template <class Pred>
  requires std::is_invocable_r_v<bool, Pred&, const std::exception_ptr&>
split_result exception_group::split(Pred pred) const {
  return split_by({&detail::call_predicate<Pred>, &pred, true}, true);
}

template <class E>
std::optional<exception_group> exception_group::subgroup() const {
  return split_by_type<E>(false).first;
}

template <class Pred>
  requires std::is_invocable_r_v<bool, Pred&, const std::exception_ptr&>
std::optional<exception_group> exception_group::subgroup(Pred pred) const {
  return split_by({&detail::call_predicate<Pred>, &pred, true}, false).first;
}

template <class E>
split_result exception_group::split_by_type(bool want_rest) const {
  if constexpr (std::is_base_of_v<exception_group, E>) {
    if constexpr (std::is_same_v<E, exception_group>)
      return {*this, std::nullopt};
    else if (dynamic_cast<const E*>(this))
      return {*this, std::nullopt};
  }
  return split_by({&detail::holds<E>, nullptr, std::is_base_of_v<exception_group, E>}, want_rest);
}

template <class... Handlers>
void except_star(const std::exception_ptr& e, Handlers&&... handlers) {
  static_assert(((!std::is_base_of_v<exception_group,
                                     std::remove_cvref_t<detail::handler_arg_t<Handlers>>>)&&...),
                "taskio::except_star: a clause cannot catch exception_group (handle its members instead)");
  const detail::star_clause clauses[] = {
      {&detail::handle_leaf<std::remove_reference_t<Handlers>>, const_cast<void*>(static_cast<const void*>(&handlers))}...,
      {}};
  detail::except_star(e, clauses, sizeof...(Handlers));
}

}  // namespace taskio

#endif  // TASKIO_EXCEPTION_GROUP_HPP
