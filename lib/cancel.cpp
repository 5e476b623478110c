//
// lib/cancel.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The cancellation module (see taskio/detail/cancel.hpp): the count,
// delivery to taskio waiters and plain Asio operations, the acceptance of an
// emission, the boundary conversion and the end-as-cancelled decision.

#include <taskio/detail/cancel.hpp>

#include <taskio/detail/task_state.hpp>
#include <taskio/exceptions.hpp>
#include "log_record.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/experimental/channel_error.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <vector>

namespace taskio::detail {

namespace {
/// The tasks whose deliver() is forwarding a request to what they await, on
/// this thread (a task found here again awaits itself through a cycle).
thread_local std::vector<const cancellation*> forwarding;

bool is_cancelled_error(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const cancelled_error&) {
    return true;
  } catch (...) {
    return false;
  }
}
}  // namespace

bool is_abort_code(const boost::system::error_code& ec) noexcept {
  return ec == boost::asio::error::operation_aborted || ec == boost::asio::experimental::error::channel_cancelled;
}

bool is_aborted_operation(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const boost::system::system_error& se) {
    return is_abort_code(se.code());
  } catch (...) {
    return false;
  }
}

task_state_base& cancellation::self() noexcept { return static_cast<task_state_base&>(*this); }

// --- the count ---------------------------------------------------------------

void cancellation::request(std::string msg) {
  ++count_;
  if (log_enabled(log_level::debug))
    log(log_level::debug, self(),
        "cancel requested: " + describe(self()) + (msg.empty() ? std::string() : ", message: " + msg));
  must_cancel_ = true;
  record().cancel_msg = std::move(msg);
  deliver();
}

int cancellation::uncancel() noexcept {
  if (count_ > 0) --count_;
  if (count_ == 0) must_cancel_ = false;  // 3.13+: an undelivered request is withdrawn
  abort_outstanding_ = false;             // withdrawn: not swallowed
  return count_;
}

void cancellation::rearm(std::string msg) {
  if (count_ == 0) return;
  must_cancel_ = true;
  record().cancel_msg = std::move(msg);
  deliver();
}

// --- delivery ----------------------------------------------------------------

std::exception_ptr cancellation::take_pending_cancel(bool incoming_is_cancellation) {
  if (!must_cancel_) return nullptr;
  must_cancel_ = false;
  unresolved_ = false;  // the request is delivered here
  if (incoming_is_cancellation) return nullptr;
  return make_cancelled(record().cancel_msg);
}

std::exception_ptr cancellation::make_cancelled(const std::string& msg) {
  cold_state& r = record();
  r.last_cancelled = std::make_exception_ptr(cancelled_error(msg));
  return r.last_cancelled;
}

void cancellation::deliver() {
  task_state_base& t = self();
  if (!must_cancel_ || t.running() || t.done()) return;
  if (waiter_) {
    // Tasks awaiting each other in a cycle (a deadlock): forwarding again
    // would recurse until the stack overflows.
    if (std::find(forwarding.begin(), forwarding.end(), this) != forwarding.end()) {
      log(log_level::error, t,
          "cancel: " + describe(t) + " awaits itself through a cycle of tasks: the cancellation cannot reach it");
      return;
    }
    forwarding.push_back(this);
    struct pop {
      ~pop() { forwarding.pop_back(); }
    } guard;
    // A taskio awaitable: it accepts (the task wakes with cancelled_error)
    // or refuses because its wake-up is already queued (the completion
    // then consumes the request).
    if (waiter_->cancel(record().cancel_msg)) must_cancel_ = unresolved_ = false;
    return;
  }
  if (in_flight_) return;  // the operation already got an emission
  boost::asio::cancellation_slot slot = cstate_.slot();
  if (!slot.is_connected() || !slot.has_handler()) return;  // delivered at the next suspension
  // A plain Asio operation: emit `terminal` on the task's slot. On a FIFO
  // executor a probe posted first tells whether it was accepted.
  in_flight_ = true;
  ++emissions_;
  cold_state& r = record();
  r.abort_msg = r.cancel_msg;
  if (fifo_) {
    probe_pending_ = true;
    const std::uint64_t seq = ++r.probe_seq;
    t.inner().post([self = ref_ptr<task_state_base>(&t), seq] { self->on_probe(seq); });
  } else {
    unresolved_ = true;  // the request stays pending (see the header)
  }
  signal_.emit(boost::asio::cancellation_type::terminal);
  cstate_.clear();  // Asio's per-coroutine state is never left sticky
}

void cancellation::on_probe(std::uint64_t seq) {
  if (!probe_pending_ || seq != record().probe_seq) return;
  // The operation took the emission: it completes with operation_aborted.
  probe_pending_ = false;
  must_cancel_ = false;
  aborted_ = true;
  abort_outstanding_ = true;
}

void cancellation::after_step_pending(bool switched) {
  task_state_base& t = self();
  if (switched && abort_outstanding_ && !t.done()) {
    // The task resumed after its operation was aborted by a request and
    // suspended again: the abort was neither rethrown nor withdrawn.
    abort_outstanding_ = false;
    warn_swallowed();
  }
  // The coroutine was resumed while an emission was in flight: on a FIFO
  // executor before the probe, so the operation had completed before the
  // emission, which it never saw.
  if (in_flight_ && switched) {
    in_flight_ = false;
    probe_pending_ = false;
  }
  if (!t.done()) deliver();
}

void cancellation::warn_swallowed() {
  task_state_base& t = self();
  if (!t.debug_mode() || !log_enabled(log_level::warning)) return;
  const auto& w = t.where();
  log(log_level::warning, t,
      t.repr() + " (created at " + w.file_name() + ":" + std::to_string(w.line()) + " in " + w.function_name() +
          ") swallowed a cancellation delivered into an Asio operation (operation_aborted): rethrow it, withdraw it "
          "with uncancel(), or await the operation with taskio::use_task");
}

// --- plain Asio operations -------------------------------------------------

std::exception_ptr cancellation::outcome(std::uint64_t before, const boost::system::error_code& ec) {
  if (emissions_ != before) {
    // An emission reached this operation: the outcome says whether it took it.
    in_flight_ = false;
    probe_pending_ = false;
    unresolved_ = false;
    abort_outstanding_ = false;
    if (is_abort_code(ec)) {
      must_cancel_ = false;  // accepted (a request arriving meanwhile is one with it)
      return make_cancelled(record().abort_msg);
    }
    // Completed before the emission: the request is delivered right here and
    // the result is dropped (asyncio: the step throws instead of returning).
    if (auto c = take_pending_cancel(false)) return c;
  }
  if (ec) return std::make_exception_ptr(boost::system::system_error(ec));
  return nullptr;
}

bool cancellation::own_abort(const std::exception_ptr& e) const noexcept {
  return (aborted_ || unresolved_) && is_aborted_operation(e);
}

std::exception_ptr cancellation::as_cancellation(const std::exception_ptr& e) {
  if (!e || !own_abort(e)) return e;
  if (unresolved_) {
    must_cancel_ = false;  // not proven before: delivered now
    unresolved_ = false;
  }
  abort_outstanding_ = false;
  return make_cancelled(record().abort_msg);
}

// --- the end -------------------------------------------------------------------

std::exception_ptr cancellation::end_as_cancelled(const std::exception_ptr& e, bool started) {
  if (!e && abort_outstanding_) warn_swallowed();
  abort_outstanding_ = false;
  if (!started || !e) {
    if (!must_cancel_) return nullptr;
    must_cancel_ = false;
    return std::make_exception_ptr(cancelled_error(record().cancel_msg));
  }
  if ((cold_ && e == cold_->last_cancelled) || is_cancelled_error(e)) {
    if (cold_) cold_->last_cancelled = nullptr;
    return e;
  }
  if (own_abort(e)) {
    if (unresolved_) must_cancel_ = false;
    return std::make_exception_ptr(cancelled_error(record().abort_msg));
  }
  return nullptr;
}

std::exception_ptr to_cancellation(const std::exception_ptr& e) {
  task_state_base* t = thread_state::current_task();
  return t ? t->as_cancellation(e) : e;
}

}  // namespace taskio::detail
