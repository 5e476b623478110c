//
// lib/dump_signal.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// run_options::dump_tasks_signal (see dump_signal.hpp).

#include "dump_signal.hpp"

#include "log_record.hpp"

#include <taskio/introspection.hpp>

#include <csignal>
#include <sstream>
#include <stdexcept>
#include <string>

namespace taskio::detail {

dump_signal::dump_signal(boost::asio::io_context& io, int signo, const std::vector<int>& stop_signals)
    : signo_(signo), signals_(io) {
  if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
    throw std::invalid_argument("taskio::run_options::dump_tasks_signal: " + std::to_string(signo) +
                                " is not a signal that can be caught");
  for (int s : stop_signals)
    if (s == signo)
      throw std::invalid_argument("taskio::run_options::dump_tasks_signal: " + std::to_string(signo) +
                                  " is also a stop signal");
  signals_.add(signo);
  wait();
}

dump_signal::~dump_signal() {
  boost::system::error_code ignored;
  signals_.clear(ignored);  // the pending wait ends with operation_aborted
}

void dump_signal::wait() {
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;  // the guard ended
    try {
      std::ostringstream os;
      dump_tasks(os, dump_format::tree);
      log(log_level::info, "dump_tasks (signal " + std::to_string(signo_) + "):\n" + os.str());
    } catch (...) {
      log(log_level::error, "dump_tasks (signal " + std::to_string(signo_) + ") failed");
    }
    wait();
  });
}

}  // namespace taskio::detail
