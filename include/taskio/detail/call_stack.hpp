//
// taskio/detail/call_stack.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A task's call stack (get_stack, the call graph of introspection.hpp):
// the coroutine frames of its awaitable chain, named without running them.
// asio_compat::coroutine_chain lists the frames' coroutines (Asio's
// awaitable frames link each to its caller); with GCC's and Clang's
// coroutine ABI a coroutine frame begins with its resume function, which
// Boost.Stacktrace names (function, and file:line from the debug
// information). The frames of Asio and of taskio itself are left out: the
// stack shows the program's own coroutines.
//
// Thread safety: on the task's executor, or with the task suspended.

#ifndef TASKIO_DETAIL_CALL_STACK_HPP
#define TASKIO_DETAIL_CALL_STACK_HPP

#include <taskio/config.hpp>
#include <taskio/detail/task_state.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace taskio::detail {

/// The frames of the coroutines `chain` (coroutine_handle addresses,
/// innermost first), innermost first, without Asio's and taskio's own.
/// Empty when none can be named (or the compiler's ABI is not known).
TASKIO_DECL std::vector<frame_info> coroutine_stack(const std::vector<void*>& chain);

/// A demangled coroutine function as a call stack shows it (asyncio's
/// "in async inner()"): `void {anonymous}::inner(int) [clone .actor]`
/// -> `inner()`: no return type, parameters, clone suffix or anonymous
/// namespace.
TASKIO_DECL std::string coroutine_function(std::string_view demangled);

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_CALL_STACK_HPP
