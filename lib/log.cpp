//
// lib/log.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The one logger of the library and its runtime gate. No sink is ever
// installed here: the application decides where records go.

#include <taskio/log.hpp>

#include <boost/log/attributes/constant.hpp>
#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_channel_logger.hpp>
#include <boost/log/utility/manipulators/add_value.hpp>

#include <atomic>

namespace taskio {
namespace {

std::atomic<int> gate{static_cast<int>(boost::log::trivial::warning)};
constexpr int off = static_cast<int>(boost::log::trivial::fatal) + 1;

using logger_type = boost::log::sources::severity_channel_logger_mt<severity_level, std::string>;

logger_type& logger() {
  static logger_type l(boost::log::keywords::channel = std::string(log_channel));
  return l;
}

}  // namespace

void set_log_level(severity_level level) noexcept { gate.store(static_cast<int>(level), std::memory_order_relaxed); }
void disable_logging() noexcept { gate.store(off, std::memory_order_relaxed); }
severity_level get_log_level() noexcept {
  int g = gate.load(std::memory_order_relaxed);
  return g >= off ? boost::log::trivial::fatal : static_cast<severity_level>(g);
}

namespace detail {

bool log_enabled(severity_level level) noexcept {
  return static_cast<int>(level) >= gate.load(std::memory_order_relaxed);
}

void log(severity_level level, const std::string& task, const std::string& message) {
  if (!log_enabled(level)) return;
  try {
    BOOST_LOG_SEV(logger(), level) << boost::log::add_value("Task", task) << message;
  } catch (...) {
    // Logging must never turn into an error of the caller.
  }
}

}  // namespace detail
}  // namespace taskio
