//
// lib/task_state.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The non-template half of the kernel: cancellation bookkeeping, delivery,
// the step hook's entry and exit, completion, names and stacks.

#include <taskio/detail/task_state.hpp>

#include "driver.hpp"
#include "log_record.hpp"
#include <taskio/detail/call_stack.hpp>

#include <boost/asio/detail/scheduler.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <atomic>
#include <sstream>

namespace taskio::detail {

namespace {
std::atomic<std::uint64_t> task_counter{0};

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// A strand's io_context runs handlers in FIFO order when it has one thread
/// (concurrency hint 1, as taskio::run's loop).
bool single_threaded(boost::asio::execution_context& ctx) {
  return asio_compat::concurrency_hint(ctx) == 1;
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

bool inner_executor::is_fifo() const noexcept {
  using io_ex = boost::asio::io_context::executor_type;
  switch (kind_) {
    case kind::io: return true;
    case kind::strand_io: return single_threaded(any_->target<boost::asio::strand<io_ex>>()->context());
    case kind::strand_any:
      return single_threaded(
          boost::asio::query(any_->target<boost::asio::strand<boost::asio::any_io_executor>>()->get_inner_executor(),
                             boost::asio::execution::context));
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
  // A plain coroutine running in a task's step creates on that task's
  // executor (its strand), not on the bare loop.
  if (task_state_base* t = thread_state::foreign_step_owner()) return t->inner().get();
  return running_loop(who).get_executor();
}

boost::asio::awaitable<task_state_base*> attached_task() {
  task_state_base* t = thread_state::current_task();
  if (!t) co_return nullptr;
  auto cs = co_await boost::asio::this_coro::cancellation_state;
  co_return t->owns_slot(cs.slot()) ? t : nullptr;
}

boost::asio::awaitable<task_state_base*> require_task(const char* who) {
  task_state_base* t = co_await attached_task();
  if (!t) throw std::runtime_error(std::string(who) + " should be used inside a task");
  co_return t;
}

// ---------------------------------------------------------------------------
// task_state_base

task_state_base::task_state_base(loop& l, boost::asio::any_io_executor ex, std::string name,
                                 std::source_location where, ref_ptr<context_impl> context)
    : future_state_base(l, std::move(ex)),
      id_(++task_counter),
      name_(std::move(name)),
      where_(where),
      context_(*this, std::move(context)),
      inner_(ex_) {
  if (l.single_thread()) {
    local_queue_ = l.run_queue();
    local_loop_.store(&l, std::memory_order_relaxed);
  }
  l.register_task(*this);
  if (log_enabled(log_level::trace)) log(log_level::trace, *this, "task created: " + describe(*this));
}

task_state_base::~task_state_base() {
  if (log_unretrieved_) {  // here, where the name and kind are still known
    log_unretrieved_ = false;
    if (log_enabled(log_level::error))
      log(log_level::error, *this, "Task exception was never retrieved: " + describe(*this));
  }
  if (!done()) {
    if (loop_) loop_->unregister_task(*this);
    if (log_enabled(log_level::warning))
      log(log_level::warning, *this, "Task was destroyed but it is pending! " + describe(*this));
  }
}

std::string task_state_base::name() const { return name_.empty() ? "Task-" + std::to_string(id_) : name_; }

std::string task_state_base::repr() const {
  std::string s = "<Task ";
  switch (status_) {
    case future_status::pending: s += cancelling() > 0 ? "cancelling" : "pending"; break;
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
  // Started: its coroutine chain (detail/call_stack.hpp), read where it
  // cannot be resumed meanwhile: on its executor (its strand, or the loop's
  // thread).
  if (status_ == future_status::pending && entry_ && inner_.running_in_this_thread()) {
    std::vector<void*> chain;
    asio_compat::coroutine_chain(entry_, chain);
    frames = coroutine_stack(chain);
  }
  // not started yet, failed, or no frame could be named: the creation site
  if (frames.empty() && (status_ == future_status::pending || failed))
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
  request(std::move(msg));
  return true;
}

bool task_state_base::foreign_launch() const noexcept {
  // An awaitable thread other than the task's began its launch inside this
  // step and is still in it (Asio 1.36 on; before, no launch is recorded).
  const void* top = asio_compat::launch_top();
  return top != launch_mark_ && !(entry_ && top == asio_compat::launch_of(entry_));
}

bool task_state_base::foreign_nested_step() const noexcept {
  // From Asio 1.36 on the plain coroutine's launch is on top of the task's.
  // Before, the task's coroutine is running (its chain attached) in the
  // enclosing step: that step did not merely forward an operation's
  // completion to the task's executor, which then resumes the task's own
  // coroutine in a nested step (Asio 1.34's channels post a completion to
  // the channel's executor, the task's, which dispatches it to the handler's).
  if (TASKIO_ASIO_HAS_LAUNCH_CONTEXT) return foreign_launch();
  return entry_ && asio_compat::chain_attached(entry_);
}

bool task_state_base::own_chain_running() const noexcept {
  // Not the task: its chain is suspended (the step resumes another coroutine
  // on the task's executor), gone, or a plain coroutine was started inline.
  return entry_ && asio_compat::chain_attached(entry_) && !foreign_launch();
}

void task_state_base::step_scope::enter_rare() noexcept {
  task_state_base& t = *t_;
  // A step inside the step for a plain coroutine started inline (a co_spawn
  // on the task's executor) is not the task.
  if (t.depth_ > 0 && t.foreign_nested_step()) {
    thread_state::current_task() = nullptr;
    thread_state::foreign_step_owner() = &t;
  }
  if (t.depth_++ == 0) {
    t.launch_mark_ = asio_compat::launch_top();
    asio_compat::reset_switched(t.switched_);
    if (t.loop_->debug()) started_ns_ = steady_ns();
  }
}

void task_state_base::end_outermost_step(std::int64_t started_ns) {
  if (driver::interrupt_requested || started_ns) [[unlikely]]
    end_step_rare(started_ns);
  after_step(asio_compat::context_switched(switched_));
}

BOOST_NOINLINE void task_state_base::end_step_rare(std::int64_t started_ns) {
  if (driver::interrupt_requested) driver::notice_interrupt(*loop_);
  if (started_ns) {
    const auto took = std::chrono::nanoseconds(steady_ns() - started_ns);
    if (took > loop_->slow_step() && log_enabled(log_level::warning)) {
      std::ostringstream os;
      os << "Executing " << describe(*this) << " took " << std::chrono::duration<double>(took).count() << " seconds";
      log(log_level::warning, *this, os.str());
    }
  }
}

void task_state_base::start(thread_type thread, std::optional<bool> eager_start) {
  // asyncio: eager only while the loop runs (here: runs this executor on
  // this thread, so the step cannot overlap another step of the strand).
  if (eager_start.value_or(loop_->eager_tasks()) && thread_state::current_loop() == loop_ &&
      inner_.running_in_this_thread()) {
    task_executor keep(this);
    entry_ = thread.entry_point();         // identity: the task's own chain (see own_chain_running)
    step([&thread] { thread.launch(); });  // restores the creator's current_task() after
    return;
  }
  post_first_step(std::move(thread));
}

void task_state_base::post_first_step(thread_type thread) {
  inner_.post([ex = task_executor(this), thread = std::move(thread)]() mutable {
    task_state_base* t = ex.task();
    t->entry_ = thread.entry_point();
    t->step([&thread] { thread.launch(); });
  });
}

void task_state_base::on_done() noexcept {
  forget_delivery();
  switched_ = nullptr;
  loop_->unregister_task(*this);
  // (on the loop's thread) local references outlive the task: the loop
  // keeps it listed until they are gone, or closes them when it shuts down
  if (local_loop_.load(std::memory_order_relaxed)) {
    if (local_refs_ > 0) {
      local_listed_ = true;
      loop_->list_local(*this);
    } else {
      local_loop_.store(nullptr, std::memory_order_relaxed);
    }
  }
}

std::mutex& local_refs_mutex() noexcept {
  static std::mutex m;
  return m;
}

void task_state_base::last_local_ref_gone() noexcept {
  if (local_listed_) {  // finished: no more local references
    local_listed_ = false;
    local_loop_.load(std::memory_order_relaxed)->unlist_local(*this);
    local_loop_.store(nullptr, std::memory_order_relaxed);
  }
  release();
}

namespace {
/// A local reference dropped off the loop's thread, queued to the loop: it
/// is dropped there; destroyed unrun (io_context shutdown, after the loop
/// closed its local references), it is dropped under the mutex.
struct local_release_op : asio_compat::scheduler_operation {
  task_state_base* t;
  explicit local_release_op(task_state_base* task) noexcept : scheduler_operation(&complete), t(task) {}
  static void complete(void* owner, asio_compat::scheduler_operation* base, const boost::system::error_code&,
                       std::size_t) {
    task_state_base* t = static_cast<local_release_op*>(base)->t;
    delete static_cast<local_release_op*>(base);
    if (owner)
      t->release_local_here();
    else
      t->release_local_ref();
  }
};
}  // namespace

void task_state_base::release_local_elsewhere() noexcept {
  std::unique_lock<std::mutex> guard(local_refs_mutex());
  if (loop* l = local_loop_.load(std::memory_order_relaxed)) {
    // open: the loop (alive until its shutdown closes this task, which
    // takes the mutex) drops it on its thread
    l->post_operation(new local_release_op(this));
    return;
  }
  if (--local_refs_ == 0) {
    guard.unlock();
    release();
  }
}

void task_state_base::finish_cancelled_before_start() {
  std::exception_ptr c = end_as_cancelled(nullptr, false);
  on_done();
  set_cancelled(std::move(c));
}

bool task_state_base::finish_ok_allowed() {
  std::exception_ptr c = end_as_cancelled(nullptr, true);
  if (!c) return true;
  on_done();
  set_cancelled(std::move(c));
  return false;
}

void task_state_base::finish_ok() {
  on_done();
  complete(future_status::finished);
}

void task_state_base::finish_exception(std::exception_ptr e) {
  std::exception_ptr c = end_as_cancelled(e, true);
  on_done();
  if (c) {
    set_cancelled(std::move(c));
  } else {
    if (log_enabled(log_level::debug))
      log(log_level::debug, *this, describe(*this) + " failed: " + describe_exception(e));
    log_unretrieved_ = true;
    exception_ = std::move(e);
    complete(future_status::finished);
  }
}

}  // namespace taskio::detail
