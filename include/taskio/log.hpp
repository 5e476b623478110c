//
// taskio/log.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Configuring taskio's log records. The only public header that includes
// Boost.Log, and the only one <taskio.hpp> leaves out: include it where the
// program sets the level, installs a sink or filters on taskio's attributes.
//
// taskio logs through Boost.Log, channel "taskio", with Boost.Log's trivial
// severity levels. A record about a task names it in the message text (its
// repr and creation site, "<Task finished name='worker' exception=boom
// created at server.cpp:12>") and carries its name as the "Task" attribute.
// Records below the runtime gate (default: warning) are never even formed.
//
// The library never installs a sink on its own. With no sink at all,
// Boost.Log's default sink prints every record to stdout, mixed into the
// program's output; log_to_console() puts taskio's records on stderr
// instead, and any sink the application adds (see example/logging.cpp)
// replaces the default one.
//
// Linking: the records are formed in the compiled library, so a program
// linking taskio links Boost.Log (and what it depends on) whether or not it
// includes this header.

#ifndef TASKIO_LOG_HPP
#define TASKIO_LOG_HPP

#include <taskio/config.hpp>

#include <boost/log/expressions/keyword.hpp>
#include <boost/log/sinks/sink.hpp>
#include <boost/log/trivial.hpp>
#include <boost/smart_ptr/shared_ptr.hpp>

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

/// The one-call console sink: taskio's records of `level` and above go to
/// stderr (std::clog, flushed after each record), one line each,
///   taskio: warning: Executing <Task pending name='slow' created at x.cpp:9> took 0.150 seconds
/// and the gate is set to `level` (set_log_level). Records of other channels
/// do not go to this sink. A second call replaces the sink of the first.
/// Returns the sink; boost::log::core::get()->remove_sink(s) removes it.
///
/// Once any sink is installed, Boost.Log's default sink (stdout) prints
/// nothing, for every channel.
/// Exceptions: whatever Boost.Log throws (std::bad_alloc). Thread-safe.
TASKIO_DECL boost::shared_ptr<boost::log::sinks::sink> log_to_console(
    severity_level level = boost::log::trivial::warning);

}  // namespace taskio

#endif  // TASKIO_LOG_HPP
