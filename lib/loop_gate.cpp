//
// lib/loop_gate.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include <taskio/detail/loop_gate.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace taskio::detail {

namespace {
[[noreturn]] void throw_closed(const char* who) {
  throw std::runtime_error(std::string(who) + ": Event loop is closed");
}
}  // namespace

void loop_gate::enter(const std::shared_ptr<gate_entry>& s, const char* who) {
  std::lock_guard lock(mutex_);
  if (closed_) throw_closed(who);
  pending_.emplace(s.get(), s);
}

void loop_gate::leave(const gate_entry* s) noexcept {
  std::lock_guard lock(mutex_);
  pending_.erase(s);
}

bool loop_gate::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void loop_gate::check_open(const char* who) const {
  if (closed()) throw_closed(who);
}

void loop_gate::close() {
  std::vector<std::shared_ptr<gate_entry>> failing;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& [key, weak] : pending_)
      if (auto s = weak.lock()) failing.push_back(std::move(s));
    pending_.clear();
  }
  // outside the lock: completing a future leaves the gate
  for (auto& s : failing) s->fail_closed();
}

}  // namespace taskio::detail
