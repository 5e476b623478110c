//
// example/echo/log.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The echo service's records: Boost.Log, channel "echo"; each record
// carries the running task's name as its "Task" attribute, as taskio's own
// records do (common/console_log.hpp prints it in brackets).
//
//   ECHO_LOG(info) << "text";   // the stream is evaluated only if a sink wants the record

#ifndef TASKIO_EXAMPLE_ECHO_LOG_HPP
#define TASKIO_EXAMPLE_ECHO_LOG_HPP

#include <taskio/log.hpp>

#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_channel_logger.hpp>
#include <boost/log/utility/manipulators/add_value.hpp>

#include <string>

namespace echo {

using logger_type = boost::log::sources::severity_channel_logger_mt<taskio::severity_level, std::string>;

/// The channel "echo" logger.
logger_type& logger();

/// The running task's name, "" outside a task.
std::string task_name();

}  // namespace echo

#define ECHO_LOG(level)                                                 \
  BOOST_LOG_SEV(::echo::logger(), ::boost::log::trivial::level)        \
      << ::boost::log::add_value("Task", ::echo::task_name())

#endif  // TASKIO_EXAMPLE_ECHO_LOG_HPP
