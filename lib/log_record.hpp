//
// lib/log_record.hpp (private to the library, not installed)
//
// Distributed under the Boost Software License, Version 1.0.
//
// What the library's own code calls to emit a record. It names no Boost.Log
// type: only lib/log.cpp (the logger, the runtime gate, the console sink) and
// the opt-in public header <taskio/log.hpp> include Boost.Log, so a program
// that does not configure logging compiles none of it.
//
// A record about a task names the task in its message text (its repr and
// creation site, as asyncio's debug-mode repr), e.g.
//   Task exception was never retrieved: <Task finished name='worker'
//   exception=boom created at server.cpp:12>
// and carries its name in the "Task" attribute.

#ifndef TASKIO_LIB_LOG_RECORD_HPP
#define TASKIO_LIB_LOG_RECORD_HPP

#include <string>

namespace taskio::detail {

class future_state_base;
class task_state_base;

/// Boost.Log's trivial severity levels, same values (lib/log.cpp checks).
enum class log_level { trace, debug, info, warning, error, fatal };

/// Whether records of `level` pass the runtime gate (set_log_level). Test it
/// before building an expensive message.
bool log_enabled(log_level level) noexcept;

/// One record on channel "taskio" that is not about a task. Never throws.
void log(log_level level, const std::string& message);
/// One record about task `t`: "Task" attribute t.name(); `message` should
/// name it with describe(t). Never throws.
void log(log_level level, const task_state_base& t, const std::string& message);

/// The future or task as records name it: its repr, and for a task its
/// creation site: "<Task pending name='worker' created at server.cpp:12>".
std::string describe(const future_state_base& f);

}  // namespace taskio::detail

#endif  // TASKIO_LIB_LOG_RECORD_HPP
