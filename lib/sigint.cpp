//
// lib/sigint.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// SIGINT while main runs (see detail/sigint.hpp): a flag while the loop is
// busy, Asio's signal_set once it has been idle.

#include <taskio/detail/sigint.hpp>

#include <taskio/exceptions.hpp>

#include <unistd.h>

namespace taskio::detail {

namespace {

extern "C" void on_sigint(int) { loop::interrupt_requested = 1; }

bool default_disposition(const struct sigaction& sa) {
  return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL;
}

}  // namespace

sigint_guard::sigint_guard(boost::asio::io_context& io, const task_ref& main) : io_(io), main_(main) {
  if (::getpid() != ::gettid()) return;  // not the main thread
  ::sigaction(SIGINT, nullptr, &previous_);
  if (!default_disposition(previous_)) return;  // ignored, or someone else's
  active_ = true;
  loop::interrupt_requested = 0;
  struct sigaction sa {};
  sa.sa_handler = &on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
}

sigint_guard::~sigint_guard() {
  if (!active_) return;
  signals_.reset();  // cancels the wait; Asio puts SIG_DFL back
  ::sigaction(SIGINT, &previous_, nullptr);
  loop::interrupt_requested = 0;
}

void sigint_guard::deliver() {
  if (++interrupts_ > 1 || main_.done()) throw keyboard_interrupt();
  main_.cancel();
}

void sigint_guard::poll() {
  if (!active_ || !loop::interrupt_requested) return;
  loop::interrupt_requested = 0;
  deliver();
}

void sigint_guard::idle() {
  if (armed()) return;
  // From now on Asio's handler catches SIGINT (and wakes the loop through
  // its reactor); one caught by ours before is delivered first.
  signals_.emplace(io_, SIGINT);
  poll();
  wait();
}

void sigint_guard::wait() {
  signals_->async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;  // the guard ended
    deliver();
    wait();
  });
}

}  // namespace taskio::detail
