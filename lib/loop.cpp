//
// lib/loop.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include <taskio/detail/loop.hpp>

#include <taskio/clock.hpp>
#include <taskio/detail/future_state.hpp>
#include <taskio/detail/task_state.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <thread>

namespace taskio {

clock::time_point clock::now() noexcept {
  if (detail::loop* l = detail::thread_state::current_loop(); l && l->virtual_time()) return l->now();
  return time_point(std::chrono::duration_cast<duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

void any_delay::reject(const char* who) const {
  switch (status_) {
    case status::nan: throw std::invalid_argument(std::string(who) + ": delay is NaN");
    case status::infinite:
      throw std::invalid_argument(std::string(who) +
                                  ": delay is infinite (to wait without a deadline, give no delay)");
    case status::too_large: throw std::invalid_argument(std::string(who) + ": delay is too large (over 100 years)");
    case status::ok: break;
  }
  throw std::logic_error(std::string(who) + ": bad delay");
}

namespace detail {

loop_scope::loop_scope(loop* l, const boost::asio::any_io_executor* ex) noexcept
    : prev_loop_(thread_state::current_loop()),
      prev_task_(thread_state::current_task()),
      prev_executor_(thread_state::current_executor()) {
  thread_state::current_loop() = l;
  thread_state::current_task() = nullptr;
  thread_state::current_executor() = ex;
}
loop_scope::~loop_scope() {
  thread_state::current_loop() = prev_loop_;
  thread_state::current_task() = prev_task_;
  thread_state::current_executor() = prev_executor_;
}

loop& running_loop(const char* who) {
  loop* l = thread_state::current_loop();
  if (!l) throw std::runtime_error(std::string(who) + ": no running event loop");
  return *l;
}

// ---------------------------------------------------------------------------
// loop

boost::asio::execution_context::id loop::id;

/// Every live loop, newest first, linked through loop::all_next_: where a
/// debugger finds the task registries without calling a function
/// (tools/taskio-gdb.py reads it from a live process or a core). Constant-
/// initialized, so loops made during static initialization are listed too.
constinit loop* all_loops = nullptr;
constinit std::mutex all_loops_mutex;

loop::loop(boost::asio::io_context& io)
    : boost::asio::execution_context::service(io),
      io_(io),
      scheduler_(asio_compat::scheduler_of(io)),
      single_thread_(asio_compat::concurrency_hint(io) == 1),
      pool_(thread_pool_service::of(io)) {
  std::lock_guard guard(all_loops_mutex);
  all_next_ = all_loops;
  all_loops = this;
}

loop::~loop() {
  std::lock_guard guard(all_loops_mutex);
  for (loop** p = &all_loops; *p; p = &(*p)->all_next_)
    if (*p == this) {
      *p = all_next_;
      break;
    }
}

loop& loop::of(boost::asio::io_context& io) {
  // Inside a running loop on this io_context (every create_task in a task,
  // on the loop's executor or a strand of it): the thread's loop, without
  // Asio's service registry (which locks its mutex and walks its list on
  // every use_service).
  if (loop* l = thread_state::current_loop(); l && &l->context() == &io) return *l;
  return boost::asio::use_service<loop>(io);
}

loop& loop::of(const boost::asio::any_io_executor& ex) {
  using io_ex = boost::asio::io_context::executor_type;
  if (const auto* e = ex.target<io_ex>()) return of(e->context());
  if (const auto* s = ex.target<boost::asio::strand<io_ex>>()) return of(s->get_inner_executor().context());
  if (const auto* s = ex.target<boost::asio::strand<boost::asio::any_io_executor>>()) return of(s->get_inner_executor());
  throw std::invalid_argument(
      "taskio: a task's executor must be an io_context executor or a strand of one (the io_context is the loop)");
}

loop* loop::current() noexcept { return thread_state::current_loop(); }

void loop::configure(bool virtual_time, bool debug, clock::duration slow_step, std::size_t threads) {
  auto guard = lock();
  virtual_ = virtual_time;
  debug_ = debug;
  slow_step_ = slow_step;
  pool_.configure(threads);
}

clock::time_point loop::now() const noexcept {
  if (virtual_) return virtual_now_;
  return clock::time_point(
      std::chrono::duration_cast<clock::duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

void loop::advance(clock::duration d) {
  if (!virtual_) throw std::logic_error("taskio::advance_time: the loop does not run in virtual time");
  if (d < clock::duration::zero()) throw std::invalid_argument("taskio::advance_time: negative duration");
  virtual_now_ += d;
}

void loop::add_timer(timer_node& n) {
  auto guard = lock();
  n.seq = ++timer_seq_;
  timers_.push(&n);
  if (!virtual_ && timers_.top() == &n) arm_locked();
}

bool loop::remove_timer(timer_node& n) {
  auto guard = lock();
  if (n.index == timer_node::npos) return false;
  timers_.erase(&n);
  return true;
}

std::optional<clock::time_point> loop::next_deadline() {
  auto guard = lock();
  if (timers_.empty()) return std::nullopt;
  return timers_.top_when();
}

void loop::arm_locked() {
  if (timers_.empty()) return;
  const clock::time_point when = timers_.top_when();
  if (armed_at_ && *armed_at_ <= when) return;
  armed_at_ = when;
  const std::uint64_t generation = ++arm_generation_;
  if (!steady_) steady_.emplace(io_);  // created lazily: it switches on Asio's reactor
  steady_->expires_at(std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(when.time_since_epoch())));
  steady_->async_wait([this, generation](const boost::system::error_code&) { on_steady_timer(generation); });
}

void loop::on_steady_timer(std::uint64_t generation) {
  {
    auto guard = lock();
    if (generation != arm_generation_) return;  // superseded by an earlier deadline
    armed_at_.reset();
  }
  fire_due_timers();
}

std::size_t loop::fire_due_timers() {
  std::vector<timer_node*> due;
  {
    auto guard = lock();
    const clock::time_point t = now();
    while (!timers_.empty() && timers_.top_when() <= t) due.push_back(timers_.pop());
    if (!virtual_) arm_locked();
  }
  for (timer_node* n : due) n->fire(n);
  return due.size();
}

void loop::register_task(task_state_base& t) {
  auto guard = lock();
  tasks_.push_back(t);
}

void loop::unregister_task(task_state_base& t) {
  auto guard = lock();
  tasks_.erase(t);  // (a no-op when it is not registered)
}

void loop::bind_queue(parking_lot& q) {
  auto guard = lock();
  queues_.push_back(q);
}

void loop::unbind_queue(parking_lot& q) noexcept {
  auto guard = lock();
  queues_.erase(q);
}

void loop::list_local(task_state_base& t) noexcept { local_tasks_.push_back(t); }
void loop::unlist_local(task_state_base& t) noexcept { local_tasks_.erase(t); }

std::vector<task_state_base*> loop::pending_tasks() {
  auto guard = lock();
  std::vector<task_state_base*> out;
  out.reserve(tasks_.size());
  for (task_state_base* t = tasks_.front(); t; t = tasks_.next(*t)) {
    t->add_ref();
    out.push_back(t);
  }
  return out;
}

void loop::shutdown() {
  // Nothing will run any more: threads blocked on a run_coroutine_threadsafe
  // future are released (before the pool is joined below), later
  // submissions fail at once.
  gate_->close();
  std::vector<timer_node*> nodes;
  {
    auto guard = lock();
    while (!timers_.empty()) nodes.push_back(timers_.pop());
  }
  for (timer_node* n : nodes)
    if (n->destroy) n->destroy(n);
  // Waiters still parked in the wait queues bound to this loop: operations
  // nothing will complete and only their queue holds (a task parked at its
  // own task group's exit is held by its own frame): destroyed unrun, with
  // the frames their handlers own, as Asio destroys its queued handlers.
  // All are taken out first: destroying a frame may destroy queues.
  intrusive_list<parking_lot::orphan, parking_lot::orphan> parked;
  {
    auto guard = lock();
    queues_.clear([&parked](parking_lot& q) { q.orphan_parked(parked); });
  }
  parked.clear([](parking_lot::orphan& w) { w.destroy_unrun(); });
  // No more local executor references (task_state.hpp): the ones left are
  // dropped under the mutex from now on, wherever they go.
  {
    std::lock_guard<std::mutex> guard(local_refs_mutex());
    for (task_state_base* t = tasks_.front(); t; t = tasks_.next(*t)) t->close_local();
    local_tasks_.clear([](task_state_base& t) { t.close_local(); });
  }
  // Tasks still pending are destroyed with the handlers that hold them, or
  // later with a handle kept by the user: then without the loop.
  {
    auto guard = lock();
    tasks_.clear([](task_state_base& t) { t.forget_loop(); });
  }
  pool_.join();
  // The reactor timer is created lazily, so Asio's timer service (and its
  // reactor) may have been registered after this service and be destroyed
  // before it: drop the timer now, while every service still exists.
  steady_.reset();
}

void loop::foreign_thread(const char* who) {
  throw std::logic_error(std::string(who) +
                         ": called from a thread that is not running the loop (not thread-safe: use "
                         "task::cancel_threadsafe, taskio::call_soon_threadsafe or run_coroutine_threadsafe)");
}

}  // namespace detail
}  // namespace taskio
