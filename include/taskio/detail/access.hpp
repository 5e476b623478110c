//
// taskio/detail/access.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The one way from a public handle to its kernel state and back (the
// `detail::access` of Asio and Boost.JSON). Handles (task_ref, task<T>,
// future<T>, context, timer_handle, ...) keep their state and their
// state-taking constructor private and befriend this class; only taskio's
// own code (the combinators, lib/) goes through it.

#ifndef TASKIO_DETAIL_ACCESS_HPP
#define TASKIO_DETAIL_ACCESS_HPP

#include <taskio/detail/ref_ptr.hpp>

#include <utility>

namespace taskio::detail {

struct access {
  /// The kernel state behind handle `h` (what the handle does when it is
  /// empty: task_ref throws std::logic_error, future gives null).
  template <class Handle>
  static auto* state(const Handle& h) {
    return h.state();
  }

  /// A handle holding one more reference to state `s`.
  template <class Handle, class Ptr>
  static Handle make(Ptr s) noexcept {
    return Handle(std::move(s));
  }
  /// The same from a raw pointer (a done callback's, the registry's).
  template <class Handle, class State>
  static Handle make(State* s) noexcept {
    return Handle(ref_ptr<State>(s));
  }
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_ACCESS_HPP
