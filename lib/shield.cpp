//
// lib/shield.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The non-template part of taskio::shield: its one log record, kept here so
// that <taskio/shield.hpp> needs no logging header.

#include <taskio/shield.hpp>

#include "log_record.hpp"

#include <taskio/detail/task_state.hpp>
#include <taskio/exceptions.hpp>

namespace taskio::detail {

void log_shield_dropped(const future_state_base& inner, const std::exception_ptr& e) noexcept {
  if (!log_enabled(log_level::debug)) return;
  try {
    const std::string what = "shield: the inner work " + describe(inner) +
                             " failed after its awaiter was cancelled: " + describe_exception(e);
    if (const auto* t = dynamic_cast<const task_state_base*>(&inner))
      log(log_level::debug, *t, what);
    else
      log(log_level::debug, what);
  } catch (...) {
  }
}

}  // namespace taskio::detail
