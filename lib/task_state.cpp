//
// lib/task_state.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The non-template half of the kernel: cancellation bookkeeping, delivery,
// the step hook's entry and exit, completion, names and stacks.

#include <taskio/detail/task_state.hpp>

#include <taskio/log.hpp>
#include <taskio/task.hpp>
#include <taskio/this_task.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <atomic>
#include <sstream>

namespace taskio::detail {

namespace {
std::atomic<std::uint64_t> task_counter{0};

/// The tasks whose deliver() is forwarding a request to what they await, on
/// this thread (a task found here again awaits itself through a cycle).
thread_local std::vector<const task_state_base*> forwarding;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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

// ---------------------------------------------------------------------------
// inner_executor

inner_executor::inner_executor(const boost::asio::any_io_executor& ex) : any_(&ex) {
  using io_ex = boost::asio::io_context::executor_type;
  if ((io_ = ex.target<io_ex>()))
    kind_ = kind::io;
  else if (ex.target<boost::asio::strand<io_ex>>())
    kind_ = kind::strand_io;
  else if (ex.target<boost::asio::strand<boost::asio::any_io_executor>>())
    kind_ = kind::strand_any;
}

bool inner_executor::running_in_this_thread() const noexcept {
  using io_ex = boost::asio::io_context::executor_type;
  switch (kind_) {
    case kind::io: return io_->running_in_this_thread();
    case kind::strand_io: return any_->target<boost::asio::strand<io_ex>>()->running_in_this_thread();
    case kind::strand_any:
      return any_->target<boost::asio::strand<boost::asio::any_io_executor>>()->running_in_this_thread();
    case kind::other: break;
  }
  return false;
}

boost::asio::any_io_executor unwrap_executor(const boost::asio::any_io_executor& ex) {
  if (const auto* te = ex.target<task_executor>()) return te->task()->inner().get();
  return ex;
}

boost::asio::any_io_executor default_task_executor(const char* who) {
  if (task_state_base* t = thread_state::current_task()) return t->inner().get();
  return running_loop(who).get_executor();
}

// ---------------------------------------------------------------------------
// task_state_base

task_state_base::task_state_base(loop& l, boost::asio::any_io_executor ex, std::string name,
                                 std::source_location where)
    : future_state_base(l, std::move(ex)),
      id_(++task_counter),
      name_(std::move(name)),
      where_(where),
      inner_(ex_) {
  l.register_task(*this);
  if (log_enabled(boost::log::trivial::trace)) log(boost::log::trivial::trace, this->name(), "task created");
}

task_state_base::~task_state_base() {
  if (log_unretrieved_) {  // here, where the name and kind are still known
    log_unretrieved_ = false;
    if (log_enabled(boost::log::trivial::error))
      log(boost::log::trivial::error, name(), "Task exception was never retrieved: " + describe_exception(exception_));
  }
  if (!done()) {
    if (loop_) loop_->unregister_task(*this);
    if (log_enabled(boost::log::trivial::warning))
      log(boost::log::trivial::warning, name(), "Task was destroyed but it is pending! " + repr());
  }
}

std::string task_state_base::name() const { return name_.empty() ? "Task-" + std::to_string(id_) : name_; }

std::string task_state_base::repr() const {
  std::string s = "<Task ";
  switch (status_) {
    case future_status::pending: s += count_ > 0 ? "cancelling" : "pending"; break;
    case future_status::cancelled: s += "cancelled"; break;
    case future_status::finished: s += "finished"; break;
  }
  s += " name='" + name() + "'";
  if (status_ == future_status::finished && exception_) s += " exception=" + describe_exception(exception_);
  return s + ">";
}

std::vector<frame_info> task_state_base::stack(std::optional<std::size_t> limit) const {
  std::vector<frame_info> frames;
  const bool failed = status_ == future_status::finished && exception_;
  if (status_ == future_status::pending || failed)
    frames.push_back(frame_info{where_.function_name(), where_.file_name(), static_cast<unsigned>(where_.line())});
  if (limit && frames.size() > *limit) {
    // a traceback keeps its oldest frames, a stack its newest
    if (failed)
      frames.resize(*limit);
    else
      frames.erase(frames.begin(), frames.end() - static_cast<std::ptrdiff_t>(*limit));
  }
  return frames;
}

void task_state_base::print_stack(std::ostream& os, std::optional<std::size_t> limit) const {
  const auto frames = stack(limit);
  const bool failed = status_ == future_status::finished && exception_;
  if (frames.empty())
    os << "No stack for " << repr() << '\n';
  else if (failed)
    os << "Traceback for " << repr() << " (most recent call last):\n";
  else
    os << "Stack for " << repr() << " (most recent call last):\n";
  for (const auto& f : frames) os << "  File \"" << f.file << "\", line " << f.line << ", in " << f.function << '\n';
  if (failed) os << describe_exception(exception_) << '\n';
}

bool task_state_base::cancel(std::string msg) {
  log_unretrieved_ = false;
  if (done()) return false;
  ++count_;
  if (log_enabled(boost::log::trivial::debug))
    log(boost::log::trivial::debug, name(), "cancel requested" + (msg.empty() ? std::string() : ": " + msg));
  must_cancel_ = true;
  cancel_msg_ = std::move(msg);
  if (depth_ == 0) deliver();
  return true;
}

int task_state_base::uncancel() noexcept {
  if (count_ > 0) --count_;
  if (count_ == 0) must_cancel_ = false;  // 3.13+: an undelivered request is withdrawn
  return count_;
}

std::exception_ptr task_state_base::take_pending_cancel(bool incoming_is_cancellation) {
  if (!must_cancel_) return nullptr;
  must_cancel_ = false;
  if (incoming_is_cancellation) return nullptr;
  return make_cancelled(cancel_msg_);
}

std::exception_ptr task_state_base::make_cancelled(const std::string& msg) {
  last_cancelled_ = std::make_exception_ptr(cancelled_error(msg));
  return last_cancelled_;
}

void task_state_base::deliver() {
  if (!must_cancel_ || depth_ > 0 || done()) return;
  if (waiter_) {
    // Tasks awaiting each other in a cycle (a deadlock): forwarding again
    // would recurse until the stack overflows.
    if (std::find(forwarding.begin(), forwarding.end(), this) != forwarding.end()) {
      log(boost::log::trivial::error, name(),
          "cancel: " + repr() + " awaits itself through a cycle of tasks: the cancellation cannot reach it");
      return;
    }
    forwarding.push_back(this);
    struct pop {
      ~pop() { forwarding.pop_back(); }
    } guard;
    // A taskio awaitable: it accepts (the task wakes with cancelled_error)
    // or refuses because its wake-up is already queued (the completion
    // then consumes the request).
    if (waiter_->cancel(cancel_msg_)) must_cancel_ = false;
    return;
  }
  if (probe_pending_) return;  // an emission is in flight
  boost::asio::cancellation_slot slot = cstate_.slot();
  if (!slot.is_connected() || !slot.has_handler()) return;  // delivered at the next suspension
  // A raw Asio operation: probe first, then emit (see the header).
  probe_pending_ = true;
  const std::uint64_t seq = ++probe_seq_;
  inner_.post([self = ref_ptr<task_state_base>(this), seq] { self->on_probe(seq); });
  signal_.emit(boost::asio::cancellation_type::terminal);
  cstate_.clear();
}

void task_state_base::on_probe(std::uint64_t seq) {
  if (!probe_pending_ || seq != probe_seq_) return;
  // The operation took the emission: it completes with operation_aborted.
  probe_pending_ = false;
  must_cancel_ = false;
  aborted_ = true;
}

task_state_base::step_scope::step_scope(task_state_base& t) noexcept
    : t_(&t), prev_loop_(thread_state::current_loop()), prev_task_(thread_state::current_task()) {
  thread_state::current_loop() = t.loop_;
  thread_state::current_task() = &t;
  if (t.depth_++ == 0) {
    asio_compat::reset_switched(t.switched_);
    if (t.loop_->debug()) started_ns_ = steady_ns();
  }
}

task_state_base::step_scope::~step_scope() {
  task_state_base& t = *t_;
  thread_state::current_loop() = prev_loop_;
  thread_state::current_task() = prev_task_;
  if (--t.depth_ != 0) return;
  if (loop::interrupt_requested) [[unlikely]]
    t.loop_->notice_interrupt();
  if (started_ns_) {
    const auto took = std::chrono::nanoseconds(steady_ns() - started_ns_);
    if (took > t.loop_->slow_step() && log_enabled(boost::log::trivial::warning)) {
      std::ostringstream os;
      os << "Executing " << t.repr() << " took " << std::chrono::duration<double>(took).count() << " seconds";
      log(boost::log::trivial::warning, t.name(), os.str());
    }
  }
  // The coroutine was resumed while a probe was in flight: the operation had
  // completed before the emission, which it never saw.
  if (t.probe_pending_ && asio_compat::context_switched(t.switched_)) t.probe_pending_ = false;
  if (!t.done()) t.deliver();
}

void task_state_base::post_first_step(thread_type thread) {
  inner_.post([t = ref_ptr<task_state_base>(this), thread = std::move(thread)]() mutable {
    t->step([&thread] { thread.launch(); });
  });
}

void task_state_base::on_done() noexcept {
  waiter_ = nullptr;
  switched_ = nullptr;
  probe_pending_ = false;
  loop_->unregister_task(*this);
}

void task_state_base::finish_cancelled_before_start() {
  must_cancel_ = false;
  on_done();
  set_cancelled(std::make_exception_ptr(cancelled_error(cancel_msg_)));
}

bool task_state_base::finish_ok_allowed() {
  if (!must_cancel_) return true;
  must_cancel_ = false;
  on_done();
  set_cancelled(std::make_exception_ptr(cancelled_error(cancel_msg_)));
  return false;
}

void task_state_base::finish_ok() {
  on_done();
  complete(future_status::finished);
}

void task_state_base::finish_exception(std::exception_ptr e) {
  on_done();
  if (e == last_cancelled_ || is_cancelled_error(e)) {
    last_cancelled_ = nullptr;
    set_cancelled(std::move(e));
  } else if (aborted_ && is_aborted_operation(e)) {
    set_cancelled(std::make_exception_ptr(cancelled_error(cancel_msg_)));
  } else {
    if (log_enabled(boost::log::trivial::debug))
      log(boost::log::trivial::debug, name(), "task failed: " + describe_exception(e));
    log_unretrieved_ = true;
    exception_ = std::move(e);
    complete(future_status::finished);
  }
}

}  // namespace taskio::detail

// ---------------------------------------------------------------------------
// public handles and introspection

namespace taskio {

detail::task_state_base* task_ref::state() const {
  if (!s_) throw std::logic_error("taskio::task: empty task handle");
  return s_.get();
}

bool task_ref::cancel(std::string msg) const {
  state()->check_thread("taskio::task::cancel");
  return state()->cancel(std::move(msg));
}

void task_ref::cancel_threadsafe(std::string msg) const {
  boost::asio::post(state()->inner().get(), [s = s_, msg = std::move(msg)]() mutable { s->cancel(std::move(msg)); });
}

bool task_ref::cancelled() const { return state()->cancelled(); }
bool task_ref::done() const { return state()->done(); }
std::exception_ptr task_ref::exception() const { return state()->exception("taskio::task::exception"); }
int task_ref::uncancel() const {
  state()->check_thread("taskio::task::uncancel");
  return state()->uncancel();
}
int task_ref::cancelling() const { return state()->cancelling(); }
std::string task_ref::get_name() const { return state()->name(); }
void task_ref::set_name(std::string name) const { state()->set_name(std::move(name)); }
std::size_t task_ref::remove_done_callback(callback_id id) const { return state()->remove_done_callback(id); }
std::vector<frame_info> task_ref::get_stack(std::optional<std::size_t> limit) const {
  return state()->stack(limit);
}
void task_ref::print_stack(std::ostream& os, std::optional<std::size_t> limit) const {
  state()->print_stack(os, limit);
}
std::string task_ref::repr() const { return s_ ? s_->repr() : "<Task none>"; }

std::ostream& operator<<(std::ostream& os, const task_ref& t) { return os << t.repr(); }

task_ref current_task() {
  detail::running_loop("taskio::current_task");
  detail::task_state_base* t = detail::thread_state::current_task();
  return t ? task_ref(detail::ref_ptr<detail::task_state_base>(t)) : task_ref();
}

std::vector<task_ref> all_tasks() {
  auto pending = detail::running_loop("taskio::all_tasks").pending_tasks();
  std::vector<task_ref> out;
  out.reserve(pending.size());
  for (detail::task_state_base* t : pending) {
    out.emplace_back(detail::ref_ptr<detail::task_state_base>(t));
    t->release();
  }
  return out;
}

}  // namespace taskio
