//
// lib/driver.hpp (private to the library, not installed)
//
// Distributed under the Boost Software License, Version 1.0.
//
// The driver of taskio::run / runner: runs a loop's io_context on the
// calling thread until one future is done, in real time (io_context::run,
// with poll rounds while stop-signal hooks are not armed) or in virtual time
// (iteration by iteration, the clock jumping to the next deadline whenever
// nothing is ready). It owns the Ctrl-C flag and the hooks through which
// the run layer (stop_signals.hpp) sees the loop between handlers. The loop
// only records which thread drives it (loop::check_thread).

#ifndef TASKIO_LIB_DRIVER_HPP
#define TASKIO_LIB_DRIVER_HPP

#include <taskio/detail/future_state.hpp>
#include <taskio/detail/loop.hpp>

#include <csignal>
#include <thread>

namespace taskio::detail {

class driver {
public:
  /// What the driver lets a runner do between handlers (Ctrl-C handling).
  class hooks {
  public:
    /// Called between batches of handlers (and between virtual-time
    /// iterations); may throw out of the driver.
    virtual void poll() = 0;
    /// Real time: the loop has nothing ready and is about to block.
    virtual void idle() = 0;
    /// True once idle() made polling unnecessary.
    virtual bool armed() const noexcept = 0;

  protected:
    ~hooks() = default;
  };

  /// Set by taskio's signal handler (async-signal-safe). A loop that never
  /// runs out of ready handlers notices it at the end of a task's step.
  static inline volatile std::sig_atomic_t interrupt_requested = 0;

  /// Runs l's io_context on this thread until `watched` is done (see the
  /// header comment). Throws std::runtime_error when nothing is left that
  /// could complete it; what `h` throws.
  static void run_until_done(loop& l, future_state_base& watched, hooks* h = nullptr);

  /// From a task's step on the loop's thread, once interrupt_requested is
  /// set: schedules a poll of the running driver's hooks (once).
  static void notice_interrupt(loop& l);

private:
  driver(loop& l, hooks* h) noexcept;
  ~driver();
  driver(const driver&) = delete;
  driver& operator=(const driver&) = delete;

  void run_real(future_state_base& watched, const bool& stop);
  void run_virtual(const bool& stop);

  loop& l_;
  hooks* hooks_;
  bool interrupt_posted_ = false;
  driver* previous_;
  std::thread::id previous_thread_;
};

}  // namespace taskio::detail

#endif  // TASKIO_LIB_DRIVER_HPP
