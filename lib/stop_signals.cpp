//
// lib/stop_signals.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Stop signals while main runs (see stop_signals.hpp): a flag while the loop
// is busy, Asio's signal_set once it has been idle.

#include "stop_signals.hpp"

#include <taskio/exceptions.hpp>

#include <cstring>
#include <string>

#include <unistd.h>

namespace taskio::detail {

namespace {

/// Per signal number: caught by our handler, not yet delivered.
volatile std::sig_atomic_t pending[NSIG] = {};

extern "C" void on_stop_signal(int signo) {
  if (signo > 0 && signo < NSIG) pending[signo] = 1;
  driver::interrupt_requested = 1;
}

/// "SIGTERM" (glibc), else "signal 15".
std::string signal_name(int signo) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* abbrev = ::sigabbrev_np(signo)) return std::string("SIG") + abbrev;
#endif
  return "signal " + std::to_string(signo);
}

bool default_disposition(const struct sigaction& sa) {
  return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL;
}

}  // namespace

stop_signal_guard::stop_signal_guard(boost::asio::io_context& io, const task_ref& main,
                                     const std::vector<int>& signals)
    : io_(io), main_(main) {
  for (int signo : signals)
    if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
      throw std::invalid_argument("taskio::run_options::stop_signals: " + std::to_string(signo) +
                                  " is not a signal that can be caught");
  if (::getpid() != ::gettid()) return;  // not the main thread
  driver::interrupt_requested = 0;
  for (int signo : signals) {
    bool seen = false;
    for (const auto& h : handled_) seen = seen || h.signo == signo;
    if (seen) continue;
    handled h{signo, {}};
    ::sigaction(signo, nullptr, &h.previous);
    if (!default_disposition(h.previous)) continue;  // ignored, or someone else's
    pending[signo] = 0;
    struct sigaction sa {};
    sa.sa_handler = &on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(signo, &sa, nullptr);
    handled_.push_back(h);
  }
}

stop_signal_guard::~stop_signal_guard() {
  if (!active()) return;
  signals_.reset();  // cancels the wait; Asio puts SIG_DFL back
  for (const auto& h : handled_) {
    ::sigaction(h.signo, &h.previous, nullptr);
    pending[h.signo] = 0;
  }
  driver::interrupt_requested = 0;
}

void stop_signal_guard::raise_stop(int signo) {
  if (signo == SIGINT) throw keyboard_interrupt();
  throw system_exit(128 + signo);
}

void stop_signal_guard::deliver(int signo) {
  if (++deliveries_ > 1 || main_.done()) raise_stop(signo);
  first_ = signo;
  // SIGINT: no message (asyncio.Runner's); others say which signal
  main_.cancel(signo == SIGINT ? std::string() : signal_name(signo));
}

void stop_signal_guard::poll() {
  if (!active() || !driver::interrupt_requested) return;
  driver::interrupt_requested = 0;
  for (const auto& h : handled_)
    if (pending[h.signo]) {
      pending[h.signo] = 0;
      deliver(h.signo);
    }
}

void stop_signal_guard::idle() {
  if (armed()) return;
  // From now on Asio's handler catches the signals (and wakes the loop
  // through its reactor); one caught by ours before is delivered first.
  signals_.emplace(io_);
  for (const auto& h : handled_) signals_->add(h.signo);
  poll();
  wait();
}

void stop_signal_guard::wait() {
  signals_->async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;  // the guard ended
    deliver(signo);
    wait();
  });
}

}  // namespace taskio::detail
