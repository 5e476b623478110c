//
// taskio/detail/loop_gate.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The door through which other threads reach a loop (run_coroutine_threadsafe,
// call_soon_threadsafe). Open until the loop closes: runner::close after its
// last round of tasks, or the io_context's shutdown (loop::shutdown). It
// knows every run_coroutine_threadsafe future that is still pending; closing
// fails them with std::runtime_error "Event loop is closed", so a thread
// blocked on one (a to_thread function, say) is released instead of waiting
// forever for a task that will never run. A submission after the close fails
// at once the same way (asyncio: call_soon_threadsafe on a closed loop raises
// RuntimeError "Event loop is closed").
//
// The gate is shared (std::shared_ptr) by the loop and every pending future,
// so a future completing after the loop is gone still finds it.
// Thread safety: every member is thread-safe.

#ifndef TASKIO_DETAIL_LOOP_GATE_HPP
#define TASKIO_DETAIL_LOOP_GATE_HPP

#include <taskio/config.hpp>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace taskio::detail {

/// What the gate knows of a pending cross-thread future (threadsafe.hpp's
/// concurrent_state_base implements it): how to fail it when the loop
/// closes. The kernel knows no primitive.
class TASKIO_DECL gate_entry {
public:
  virtual ~gate_entry() = default;
  /// The loop closed before the future completed: fail it with
  /// std::runtime_error "Event loop is closed" (any thread).
  virtual void fail_closed() = 0;
};

class TASKIO_DECL loop_gate {
public:
  /// Registers a pending cross-thread future. std::runtime_error "<who>:
  /// Event loop is closed" once closed.
  void enter(const std::shared_ptr<gate_entry>& s, const char* who);
  /// The future completed (any thread).
  void leave(const gate_entry* s) noexcept;
  bool closed() const;
  /// std::runtime_error "<who>: Event loop is closed" once closed.
  void check_open(const char* who) const;
  /// Closes the gate; the futures still pending fail with "Event loop is
  /// closed". Idempotent.
  void close();

private:
  mutable std::mutex mutex_;
  bool closed_ = false;
  std::unordered_map<const gate_entry*, std::weak_ptr<gate_entry>> pending_;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_LOOP_GATE_HPP
