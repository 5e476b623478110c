//
// taskio/detail/asio_compat.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Every Asio-internal name the kernel uses (anything in boost::asio::detail),
// in one place, behind version checks. Kernel files use only the names below;
// none of them is public API. doc/design.md ("Asio internals the kernel
// uses") lists each name with the Asio versions it was checked against:
// 1.26 (Boost 1.81), 1.28.2, 1.34.0, 1.36.0 and 1.38.0.
//
// Where Asio changed:
//  * 1.34 (Boost 1.87): the scheduler lost concurrency_hint(); the hint an
//    io_context was constructed with is kept in its execution_context
//    configuration (boost::asio::config, new in that release). In 1.34 itself
//    config::get() reads every integer through a one-byte buffer (sized by
//    numeric_limits<long long>::max_digits10, which is 0 for integers) and so
//    answers 0 (its own scheduler included); see concurrency_hint().
//  * 1.36 (Boost 1.89): awaitable_thread_has_context_switched (a flag in the
//    entry frame, set whenever the coroutine suspends on an operation) is
//    gone; co_spawn asks awaitable_thread_is_launching instead, which only
//    says whether the first step is still running. See context_switched().
//
// Thread safety: stateless functions; the flag is owned by one task.

#ifndef TASKIO_DETAIL_ASIO_COMPAT_HPP
#define TASKIO_DETAIL_ASIO_COMPAT_HPP

#include <taskio/config.hpp>

#include <boost/asio/version.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/detail/call_stack.hpp>
#include <boost/asio/detail/thread_context.hpp>
#include <boost/asio/detail/scheduler.hpp>
#include <boost/asio/detail/scheduler_operation.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

/// 1 when the awaitable entry frame carries the has_context_switched flag
/// (Asio 1.26 .. 1.34), 0 from 1.36 on.
#if BOOST_ASIO_VERSION < 103600
#define TASKIO_ASIO_HAS_CONTEXT_SWITCHED_FLAG 1
#else
#define TASKIO_ASIO_HAS_CONTEXT_SWITCHED_FLAG 0
#endif

namespace taskio::detail::asio_compat {

// --- the io_context's scheduler ----------------------------------------------

/// The io_context's scheduler service (its run queue).
using scheduler = boost::asio::detail::scheduler;
/// An operation queued on the scheduler without an allocation.
using scheduler_operation = boost::asio::detail::scheduler_operation;

/// The io_context's scheduler (always present: the io_context creates it).
inline scheduler& scheduler_of(boost::asio::io_context& io) { return boost::asio::use_service<scheduler>(io); }

/// Queues `op` on `s` as a new, non-continuation completion.
inline void post_immediate(scheduler& s, scheduler_operation* op) { s.post_immediate_completion(op, false); }

/// This thread is running `s` (inside its run/poll): a pointer comparison
/// on Asio's thread-local call stack; `s` is not dereferenced.
inline bool running_in(scheduler* s) noexcept {
  using call_stack = boost::asio::detail::call_stack<boost::asio::detail::thread_context,
                                                     boost::asio::detail::thread_info_base>;
  return call_stack::contains(s) != nullptr;
}

/// The concurrency hint an io_context was constructed with (1: one thread
/// runs it, so the scheduler takes no locks). `ctx` is an io_context.
/// From 1.34 on, the configuration's ("scheduler", "concurrency_hint"),
/// which from 1.36 on is -1 for BOOST_ASIO_CONCURRENCY_HINT_SAFE and 1 for
/// the unsafe special hints; before 1.36 a special hint reads as its own
/// value (never 1). Defined in lib/asio_compat.cpp: on Asio 1.34 it names a
/// private member through an explicit instantiation, which must exist in one
/// translation unit only.
TASKIO_DECL int concurrency_hint(boost::asio::execution_context& ctx);

// --- awaitable threads (what co_spawn is built on) ---------------------------

/// The bottom frame of an awaitable thread: a coroutine returning
/// entry_awaitable<Executor> can be launched by awaitable_thread.
using entry_point = boost::asio::detail::awaitable_thread_entry_point;
template <class Executor = boost::asio::any_io_executor>
using entry_awaitable = boost::asio::awaitable<entry_point, Executor>;
/// Owns an entry frame; launch() runs its first step on the calling thread.
/// Constructor: (entry_awaitable, executor, parent cancellation slot,
/// cancellation_state), unchanged from 1.26 to 1.38.
template <class Executor = boost::asio::any_io_executor>
using awaitable_thread = boost::asio::detail::awaitable_thread<Executor>;

// --- "was the coroutine resumed during this step?" ---------------------------
//
// The kernel resets a flag before each step of a task and reads it after:
// true means the coroutine ran (it suspended on an operation again, or
// finished), i.e. the operation it had been suspended on completed.
//
// Asio 1.26 .. 1.34: the entry frame's own has_context_switched flag, which
// Asio sets whenever the coroutine hands itself to an operation; exact.
// Asio 1.36 on: no such flag exists, and no hook runs when the coroutine
// suspends. Every step of the task counts as a resumption: a step that runs
// while the coroutine stays suspended (a composed operation's intermediate
// completion, a function the user posted to the task's executor) is taken for
// one. The kernel's only use is its probe (task_state.hpp): such a step in
// the one loop iteration between a cancellation request and its probe makes
// the kernel re-deliver the request, once, to the same operation.

/// co_await switched_query{} inside the entry frame; pass the result to
/// switched_flag().
#if TASKIO_ASIO_HAS_CONTEXT_SWITCHED_FLAG
using switched_query = boost::asio::detail::awaitable_thread_has_context_switched;
/// The entry frame's flag (valid as long as the frame).
inline bool* switched_flag(bool& flag) noexcept { return &flag; }
#else
using switched_query = boost::asio::this_coro::executor_t;
/// No flag to point at: null (context_switched() then answers true).
template <class Executor>
bool* switched_flag(const Executor&) noexcept {
  return nullptr;
}
#endif

/// Before a step: forget earlier resumptions.
inline void reset_switched(bool* flag) noexcept {
  if (flag) *flag = false;
}

/// After a step of an attached task: whether its coroutine was resumed.
inline bool context_switched(const bool* flag) noexcept {
#if TASKIO_ASIO_HAS_CONTEXT_SWITCHED_FLAG
  return flag && *flag;
#else
  (void)flag;
  return true;
#endif
}

// --- "is this awaitable thread's own coroutine chain running?" -------------
//
// Task identity (current_task(), doc/design.md "Task identity"). A task is
// one awaitable thread; its entry frame is `entry_frame`. Two facts of
// Asio's awaitable machinery tell whether the code running now belongs to
// that thread:
//  * the top frame of a thread's stack has its `attached_thread_` set while
//    the thread is being pumped, and cleared (detach_thread) when it hands
//    itself to an operation: a step of the task's executor that resumes
//    another coroutine (a plain co_spawn on the task's executor) finds the
//    task's own top frame detached. (1.26 .. 1.38)
//  * from 1.36 on, awaitable_thread::launch() pushes the thread's entry frame
//    on a thread-local call stack (call_stack<awaitable_launch_context>) for
//    as long as its first pump runs: a plain coroutine co_spawned from inside
//    a task and started inline (on the loop's executor or on the task's)
//    is on top of it. Before 1.36 nothing records an inline launch.
// The entry frame's `top_of_stack_` is private; awaitable_thread (every
// specialization) is its friend, so the one reader below is a
// specialization of awaitable_thread for a tag type. `attached_thread_` is a
// protected member of awaitable_frame_base, read through a derived class.

/// The entry frame of a task's awaitable thread (thread.entry_point()).
using entry_frame =
    boost::asio::detail::awaitable_frame<boost::asio::detail::awaitable_thread_entry_point, boost::asio::any_io_executor>;

/// Tag: awaitable_thread<peek_tag> reads an entry frame's private members.
struct peek_tag {};

}  // namespace taskio::detail::asio_compat

namespace boost::asio::detail {
template <>
class awaitable_thread<taskio::detail::asio_compat::peek_tag> {
public:
  using entry_frame = taskio::detail::asio_compat::entry_frame;
  static awaitable_frame_base<any_io_executor>* top_of_stack(const entry_frame* e) noexcept { return e->top_of_stack_; }
};
}  // namespace boost::asio::detail

namespace taskio::detail::asio_compat {

/// Reads awaitable_frame_base's protected attached_thread_, caller_ and
/// coro_.
struct frame_peek : boost::asio::detail::awaitable_frame_base<boost::asio::any_io_executor> {
  using base = boost::asio::detail::awaitable_frame_base<boost::asio::any_io_executor>;
  static bool attached(const base* f) noexcept { return f->*(&frame_peek::attached_thread_) != nullptr; }
  static const base* caller(const base* f) noexcept { return f->*(&frame_peek::caller_); }
  static void* coroutine(const base* f) noexcept { return (f->*(&frame_peek::coro_)).address(); }
};

/// True while the coroutine chain of the thread whose entry frame is `e` is
/// being pumped (not suspended on an operation). Only on the thread's own
/// executor, while the frame exists.
inline bool chain_attached(const entry_frame* e) noexcept {
  const auto* top = boost::asio::detail::awaitable_thread<peek_tag>::top_of_stack(e);
  return top && frame_peek::attached(top);
}

// --- the coroutine frames of an awaitable thread (call stacks) ------------
//
// Each frame of a thread's stack is an awaitable_frame_base: `coro_` is its
// coroutine, `caller_` the frame that awaits it (null for the entry frame),
// and the entry frame's `top_of_stack_` the innermost one (1.26 .. 1.38).

/// Appends the coroutine addresses (std::coroutine_handle::address()) of the
/// thread whose entry frame is `e`, innermost first, the entry frame's last.
/// Only on the thread's own executor (or with the thread suspended), while
/// the frame exists.
template <class Out>
void coroutine_chain(const entry_frame* e, Out& out) {
  const auto* f = boost::asio::detail::awaitable_thread<peek_tag>::top_of_stack(e);
  for (int n = 0; f && n < 1024; f = frame_peek::caller(f), ++n)
    if (void* c = frame_peek::coroutine(f)) out.push_back(c);
}

#if BOOST_ASIO_VERSION >= 103600
#define TASKIO_ASIO_HAS_LAUNCH_CONTEXT 1
/// The innermost awaitable thread still in its launch on this thread (an
/// opaque mark, null when none).
inline const void* launch_top() noexcept {
  return boost::asio::detail::call_stack<boost::asio::detail::awaitable_launch_context>::top();
}
/// The mark of `e`'s own launch, null unless it is launching.
inline const void* launch_of(entry_frame* e) noexcept {
  return boost::asio::detail::call_stack<boost::asio::detail::awaitable_launch_context>::contains(e);
}
#else
/// Before 1.36 nothing records a launch: no mark (inline starts are found
/// with the context-switched flag instead, see task_state.cpp).
#define TASKIO_ASIO_HAS_LAUNCH_CONTEXT 0
inline const void* launch_top() noexcept { return nullptr; }
inline const void* launch_of(entry_frame*) noexcept { return nullptr; }
#endif

}  // namespace taskio::detail::asio_compat

#endif  // TASKIO_DETAIL_ASIO_COMPAT_HPP
