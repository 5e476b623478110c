//
// taskio/task_group.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::task_group: asyncio.TaskGroup (3.13+ behaviour, doc/semantics.md 5, TaskGroup).
// An async context manager that owns child tasks: the block does not end
// before every child is done, and the first child failure cancels the
// others and interrupts the block.
//
//   co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg)
//       -> asio::awaitable<void> {
//     auto a = tg.create_task(fetch("a"));
//     auto b = tg.create_task(fetch("b"));
//     co_return;
//   });   // both done here; throws taskio::exception_group if any failed
//
// Lifetime: default-constructible anywhere; bound to the task that enters
// it (the parent). Single use: entering it again, even after it finished,
// is an error. Movable before it is entered (async_with moves a temporary
// in); do not move an entered group. Children run on the parent's
// executor; the loop owns them until they are done.
//
// Cancellation (asyncio's count protocol, doc/semantics.md 4): when a child
// fails, the group cancels the other children and cancels the parent once
// (no message), so the block is interrupted at its current suspension
// point; the exit takes that request back with uncancel(). A cancellation
// from outside cancels every child and propagates as the same
// cancelled_error (message kept), unless children failed: then the group
// raises its exception_group and re-arms the outside request, so the
// parent's next suspension point after the block raises cancelled_error.
// While waiting for its children the exit is a cancellation point that
// keeps waiting: no child outlives its group. An Asio operation_aborted
// raised because such a cancellation aborted a plain Asio operation (see
// is_cancellation) reaches the group as that request's cancelled_error
// (async_with converts it) and leaves as cancelled_error(msg).
//
// Exceptions (leaving the block):
//  * children failed, or the block threw X: exception_group("unhandled
//    errors in a TaskGroup", {child errors in completion order..., X});
//    cancelled children count as no error;
//  * a fatal exception (keyboard_interrupt, system_exit) from a child or
//    the block: that exception alone, after all children are done; the
//    other errors are logged (severity error);
//  * only cancellation: the cancelled_error that interrupted the block or
//    the exit (none when it was the group's own request);
//  * misuse: std::runtime_error with asyncio's message ("has already been
//    entered", "cannot determine the parent task (it should be used
//    inside a task)", "has not been
//    entered", "is finished", "is shutting down").
// The exceptions of the children are retrieved by the group (never logged
// as "never retrieved").
//
// Thread safety: use a group on its parent's executor only.

#ifndef TASKIO_TASK_GROUP_HPP
#define TASKIO_TASK_GROUP_HPP

#include <taskio/config.hpp>
#include <taskio/create_task.hpp>
#include <taskio/exception_group.hpp>
#include <taskio/task.hpp>
#include <taskio/task_options.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <exception>
#include <source_location>
#include <string>

namespace taskio {

namespace detail {
class task_group_state;
}

class TASKIO_DECL task_group {
public:
  task_group();
  ~task_group();
  task_group(task_group&& other) noexcept;
  task_group& operator=(task_group&& other) noexcept;
  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;

  /// Creates a child task running `coro` on the parent's executor (its
  /// first step is scheduled, as create_task does) and returns its handle.
  /// Allowed while the group is entered, also from inside a child while
  /// the group is exiting normally (the exit then waits for it too).
  ///
  /// Cancellation: not a suspension point.
  /// Exceptions: std::runtime_error "TaskGroup ... has not been entered",
  /// "... is finished" (exited), "... is shutting down" (aborting after a
  /// failure or a cancellation); `coro` is then destroyed without running.
  ///
  /// `opts`: asyncio's keyword arguments (task_options.hpp). With eager
  /// start the child's first step runs inside this call, before the group
  /// registers it (as asyncio 3.14+): a child that finishes there is still
  /// handled one loop iteration later, like any child, so a failure does not
  /// cancel the body inside create_task (gh-128550, gh-128588); a child that
  /// called cancel() on the group in that step is cancelled as it is
  /// registered (gh-155418).
  template <class T>
  task<T> create_task(boost::asio::awaitable<T> coro, std::source_location where = std::source_location::current()) {
    return create_task(std::move(coro), task_options{}, where);
  }
  /// The same with options. (Two overloads, not a defaulted task_options: g++
  /// 12 miscompiles a non-trivial temporary made inside a co_await
  /// expression; README, "Known compiler issues".)
  template <class T>
  task<T> create_task(boost::asio::awaitable<T> coro, task_options opts,
                      std::source_location where = std::source_location::current());

  /// The same, named `name` (see create_task.hpp for why a template).
  template <class T, detail::task_name Name>
  task<T> create_task(boost::asio::awaitable<T> coro, Name&& name,
                      std::source_location where = std::source_location::current()) {
    return create_task(std::move(coro), task_options{.name = std::forward<Name>(name)}, where);
  }

  /// Creates a child task running f(args...), a callable returning an
  /// asio::awaitable<R>. f and args are stored with the child until it is
  /// done (as taskio::create_task(f, args...) does): capturing lambdas are
  /// safe. Otherwise as create_task(coro): the same checks, and f is
  /// destroyed without being called when the group refuses the child.
  template <class F, class... Args>
    requires detail::awaitable_factory<F, Args...>
  auto create_task(F&& f, Args&&... args) {
    return create_task(detail::keep_callable(std::forward<F>(f), std::forward<Args>(args)...));
  }

  /// Enters the group: the current task becomes its parent. Does not
  /// suspend.
  /// Exceptions: std::runtime_error "TaskGroup ... has already been
  /// entered" (also after the group finished), "TaskGroup ... cannot
  /// determine the parent task (it should be used inside a task)" outside a
  /// task, also in a plain coroutine running inside a task's step (the
  /// group stays unentered, no task is touched).
  boost::asio::awaitable<void> aenter();

  /// Exits the group with the block's exception `e` (null if it completed):
  /// waits for every child, then raises what the concept comment above says.
  /// Suppresses `e` (returns true) only when it is the group's own
  /// cancellation after cancel(); otherwise returns false.
  ///
  /// Cancellation: a cancellation point while children remain; cancelling
  /// the parent there cancels the children and the exit keeps waiting.
  boost::asio::awaitable<bool> aexit(std::exception_ptr e);

  /// asyncio 3.15 TaskGroup.cancel(): cancels every unfinished child and
  /// the body (the parent task, once, without a message), so the block is
  /// interrupted at its current suspension point; the group then exits
  /// normally: the group's own cancelled_error does not leave the block,
  /// and a group whose children did not fail raises nothing. Children
  /// failing while they unwind still give an exception_group. Afterwards
  /// create_task throws "is shutting down".
  ///
  /// Idempotent; a no-op once the group finished. Callable before entry
  /// (the body is then cancelled at entry: its first suspension point
  /// throws cancelled_error, which the group absorbs), from the body, from
  /// a child, or from any task of the loop.
  ///
  /// A cancellation from outside (task.cancel, an enclosing timeout) that
  /// reaches the group after cancel() is not absorbed: it propagates out
  /// of the block as cancelled_error (with its message when the group saw
  /// it), so an enclosing timeout still raises timeout_error.
  ///
  /// Cancellation: not a suspension point. Thread safety: the parent's
  /// executor only.
  void cancel();

  /// "<TaskGroup tasks=2 errors=1 cancelling>" (live children, errors
  /// collected, state), as asyncio's repr.
  std::string repr() const;

private:
  /// Checks that a child may be created; returns the parent's executor.
  const boost::asio::any_io_executor& parent_executor(const char* who) const;
  /// Registers a just-launched child (cancels it if that fails, or if the
  /// group started aborting during the child's eager first step).
  void adopt(detail::task_state_base& child);
  detail::task_group_state& state(const char* who) const;

  detail::task_group_state* s_;
};

// ---- implementation ----

template <class T>
task<T> task_group::create_task(boost::asio::awaitable<T> coro, task_options opts, std::source_location where) {
  const auto& ex = parent_executor("taskio::task_group::create_task");  // may throw: coro never runs
  auto t = detail::launch_task(ex, std::move(coro), std::move(opts.name), where, opts.eager_start,
                               detail::given_context(opts));
  adopt(*t);
  return detail::access::make<task<T>>(std::move(t));
}

}  // namespace taskio

#endif  // TASKIO_TASK_GROUP_HPP
