//
// example/common/console_log.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The examples' console sink (stderr), for taskio's records and the
// application's, one line each:
//
//   12:00:01.234567 debug echo [conn-127.0.0.1:5000] closed by the peer
//
// (local time, severity, channel, the "Task" attribute when there is one,
// the message). taskio installs no sink of its own: an application that
// wants its records calls this (or sets up Boost.Log its own way).

#ifndef TASKIO_EXAMPLE_COMMON_CONSOLE_LOG_HPP
#define TASKIO_EXAMPLE_COMMON_CONSOLE_LOG_HPP

#include <taskio/log.hpp>

namespace examples {

/// Adds the console sink for records of `min_level` and above, and lowers
/// taskio's level gate to `min_level` (taskio::set_log_level).
void log_to_console(taskio::severity_level min_level);

}  // namespace examples

#endif  // TASKIO_EXAMPLE_COMMON_CONSOLE_LOG_HPP
