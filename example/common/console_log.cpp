//
// example/common/console_log.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include "common/console_log.hpp"

#include <boost/log/expressions.hpp>
#include <boost/log/utility/setup/console.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

namespace examples {

void log_to_console(taskio::severity_level min_level) {
  namespace kw = taskio::log_keywords;
  auto sink = boost::log::add_console_log(std::clog, boost::log::keywords::filter = kw::severity >= min_level,
                                          boost::log::keywords::auto_flush = true);
  sink->set_formatter([](const boost::log::record_view& rec, boost::log::formatting_ostream& os) {
    const auto now = std::chrono::system_clock::now();  // a synchronous sink formats as the record is made
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    ::localtime_r(&seconds, &local);
    char time[32];
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    std::snprintf(time, sizeof time, "%02d:%02d:%02d.%06lld", local.tm_hour, local.tm_min, local.tm_sec,
                  static_cast<long long>(micros % 1'000'000));
    os << time << ' ' << rec[kw::severity] << ' ' << rec[kw::channel];
    if (const auto task = rec[kw::task]; task && !task->empty()) os << " [" << *task << ']';
    os << ' ' << rec[boost::log::expressions::smessage];
  });
  taskio::set_log_level(min_level);
}

}  // namespace examples
