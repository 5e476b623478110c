//
// taskio/log.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio logs through Boost.Log, channel "taskio", with Boost.Log's trivial
// severity levels, and the task's name as the "Task" attribute value of each
// record. The library never installs a sink: an application that wants the
// records adds a sink filtered on the channel (see example/logging.cpp).
// Records below the runtime gate (default: warning) are never even formed.

#ifndef TASKIO_LOG_HPP
#define TASKIO_LOG_HPP

#include <taskio/config.hpp>

#include <boost/log/expressions/keyword.hpp>
#include <boost/log/trivial.hpp>

#include <string>

namespace taskio {

using severity_level = boost::log::trivial::severity_level;

/// The channel of every taskio record.
inline constexpr const char* log_channel = "taskio";

/// Attribute keywords for filters and formatters:
/// `expr::attr<std::string>("Channel") == "taskio"` is `log_keywords::channel == "taskio"`.
namespace log_keywords {
BOOST_LOG_ATTRIBUTE_KEYWORD(channel, "Channel", std::string)
BOOST_LOG_ATTRIBUTE_KEYWORD(severity, "Severity", boost::log::trivial::severity_level)
BOOST_LOG_ATTRIBUTE_KEYWORD(task, "Task", std::string)
}  // namespace log_keywords

/// Records below `level` are not emitted by taskio. Thread-safe.
TASKIO_DECL void set_log_level(severity_level level) noexcept;
/// Silence taskio entirely.
TASKIO_DECL void disable_logging() noexcept;
TASKIO_DECL severity_level get_log_level() noexcept;

namespace detail {
TASKIO_DECL bool log_enabled(severity_level level) noexcept;
/// Emits one record on channel "taskio" (task may be empty).
TASKIO_DECL void log(severity_level level, const std::string& task, const std::string& message);
}  // namespace detail

}  // namespace taskio

#endif  // TASKIO_LOG_HPP
