//
// lib/dump_signal.hpp (private to the library, not installed)
//
// Distributed under the Boost Software License, Version 1.0.
//
// run_options::dump_tasks_signal: while main runs, each delivery of the
// signal writes dump_tasks(tree) to the log (channel "taskio", severity
// info) and the loop goes on. An opt-in way to see every task of a live
// process without code at the call site (`kill -USR1 <pid>`).
//
// Cost: only when requested. It uses an asio::signal_set, so Asio's reactor
// runs (as in any program with a socket or a real-time timer): while
// handlers are queued one at a time, the io_context checks the reactor
// (epoll_wait(0)) between them. Without the option nothing is created.

#ifndef TASKIO_LIB_DUMP_SIGNAL_HPP
#define TASKIO_LIB_DUMP_SIGNAL_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <vector>

namespace taskio::detail {

class dump_signal {
public:
  /// Starts handling `signo` on `io`. std::invalid_argument for a number
  /// that is not a signal that can be caught, or one of `stop_signals` (the
  /// stop signals in effect).
  dump_signal(boost::asio::io_context& io, int signo, const std::vector<int>& stop_signals);
  /// Stops handling it (Asio puts the default disposition back).
  ~dump_signal();
  dump_signal(const dump_signal&) = delete;
  dump_signal& operator=(const dump_signal&) = delete;

private:
  void wait();

  int signo_;
  boost::asio::signal_set signals_;
};

}  // namespace taskio::detail

#endif  // TASKIO_LIB_DUMP_SIGNAL_HPP
