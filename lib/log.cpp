//
// lib/log.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The one logger of the library, its runtime gate, and the opt-in console
// sink. The only source file of the library that includes Boost.Log: the
// rest emits records through lib/log_record.hpp. No sink is installed unless
// the application calls log_to_console().

#include <taskio/log.hpp>

#include "log_record.hpp"

#include <taskio/detail/task_state.hpp>

#include <boost/log/attributes/constant.hpp>
#include <boost/log/core/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_channel_logger.hpp>
#include <boost/log/utility/manipulators/add_value.hpp>
#include <boost/log/utility/setup/console.hpp>

#include <atomic>
#include <iostream>
#include <mutex>

namespace taskio {
namespace {

namespace trivial = boost::log::trivial;

static_assert(static_cast<int>(detail::log_level::trace) == trivial::trace &&
              static_cast<int>(detail::log_level::debug) == trivial::debug &&
              static_cast<int>(detail::log_level::info) == trivial::info &&
              static_cast<int>(detail::log_level::warning) == trivial::warning &&
              static_cast<int>(detail::log_level::error) == trivial::error &&
              static_cast<int>(detail::log_level::fatal) == trivial::fatal);

std::atomic<int> gate{static_cast<int>(trivial::warning)};
constexpr int off = static_cast<int>(trivial::fatal) + 1;

using logger_type = boost::log::sources::severity_channel_logger_mt<severity_level, std::string>;

logger_type& logger() {
  static logger_type l(boost::log::keywords::channel = std::string(log_channel));
  return l;
}

void emit(detail::log_level level, const std::string& task, const std::string& message) {
  if (!detail::log_enabled(level)) return;
  try {
    BOOST_LOG_SEV(logger(), static_cast<severity_level>(level)) << boost::log::add_value("Task", task) << message;
  } catch (...) {
    // Logging must never turn into an error of the caller.
  }
}

}  // namespace

void set_log_level(severity_level level) noexcept { gate.store(static_cast<int>(level), std::memory_order_relaxed); }
void disable_logging() noexcept { gate.store(off, std::memory_order_relaxed); }
severity_level get_log_level() noexcept {
  int g = gate.load(std::memory_order_relaxed);
  return g >= off ? trivial::fatal : static_cast<severity_level>(g);
}

boost::shared_ptr<boost::log::sinks::sink> log_to_console(severity_level level) {
  namespace expr = boost::log::expressions;
  namespace kw = log_keywords;
  static std::mutex mutex;
  static boost::shared_ptr<boost::log::sinks::sink> installed;
  std::lock_guard lock(mutex);
  auto core = boost::log::core::get();
  if (installed) core->remove_sink(installed);
  installed = boost::log::add_console_log(
      std::clog, boost::log::keywords::filter = kw::channel == log_channel && kw::severity >= level,
      boost::log::keywords::format = expr::stream << kw::channel << ": " << kw::severity << ": " << expr::smessage,
      boost::log::keywords::auto_flush = true);
  set_log_level(level);
  return installed;
}

namespace detail {

bool log_enabled(log_level level) noexcept {
  return static_cast<int>(level) >= gate.load(std::memory_order_relaxed);
}

void log(log_level level, const std::string& message) { emit(level, {}, message); }

void log(log_level level, const task_state_base& t, const std::string& message) {
  if (!log_enabled(level)) return;
  try {
    emit(level, t.name(), message);
  } catch (...) {
  }
}

std::string describe(const future_state_base& f) {
  std::string s = f.repr();
  const auto* t = dynamic_cast<const task_state_base*>(&f);
  if (!t || t->where().line() == 0 || s.empty() || s.back() != '>') return s;
  s.insert(s.size() - 1, std::string(" created at ") + t->where().file_name() + ":" + std::to_string(t->where().line()));
  return s;
}

}  // namespace detail
}  // namespace taskio
