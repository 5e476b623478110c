//
// lib/task_group.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// task_group: asyncio.TaskGroup's state machine (doc/semantics.md 5, TaskGroup; the 3.13+
// order). Each child carries one completion node of the group; when the
// child completes the node posts the group's child-completion handler to
// the loop, so it runs one iteration later, as asyncio's done callback
// does. Children are kept in an intrusive list: O(1) per child. The exit
// parks the parent in the group's wait queue until the last child is done
// (asyncio's _on_completed_fut).

#include <taskio/task_group.hpp>

#include <taskio/detail/loop.hpp>
#include <taskio/detail/wait_queue.hpp>
#include <taskio/exceptions.hpp>
#include "log_record.hpp"
#include "slow_wait.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace taskio::detail {

class task_group_state final : public ref_counted {
public:
  /// The group's registration on one child, and its link in the live list.
  struct live_tag;
  struct child_node final : completion_node, list_hook<live_tag> {
    ref_ptr<task_group_state> group;
    ref_ptr<task_state_base> child;
  };

  task_group_state() { exit_waiter_.set_awaited(&list_live, this); }

  std::string repr() const;
  [[noreturn]] void fail(const std::string& problem) const {
    throw std::runtime_error("TaskGroup " + repr() + " " + problem);
  }

  void enter(task_state_base* parent);
  void cancel();
  const boost::asio::any_io_executor& parent_executor() const;
  void adopt(task_state_base& child);

  // aexit, in three parts around the wait for the children
  void begin_exit(const std::exception_ptr& e);
  bool children_left() const noexcept { return !live_.empty(); }
  /// Parks the parent until the last child is done; rethrows what
  /// interrupted the wait (a cancellation).
  boost::asio::awaitable<void> wait_for_children() { co_await exit_waiter_.park(); }
  void exit_wait_interrupted(std::exception_ptr cancelled);
  bool finish_exit(const std::exception_ptr& e);

private:
  struct child_done;
  static void on_fire(completion_node* n, future_state_base& s);
  /// The child will never complete (destroyed pending): the group forgets it.
  static void on_destroy(completion_node* n);
  void on_child_done(child_node& n);
  void abort();
  void log_dropped(const std::vector<std::exception_ptr>& errors, const std::exception_ptr& body_error) const;
  /// The children not done yet: what the exit awaits (the await graph,
  /// introspection.hpp).
  static void list_live(const void* self, std::vector<ref_ptr<future_state_base>>& out) {
    const auto& live = static_cast<const task_group_state*>(self)->live_;
    for (child_node* n = live.front(); n; n = live.next(*n)) out.emplace_back(n->child.get());
  }

  bool entered_ = false;
  bool exiting_ = false;
  bool aborting_ = false;
  bool parent_cancel_requested_ = false;
  ref_ptr<task_state_base> parent_;
  intrusive_list<child_node, live_tag> live_;  // children not done, in creation order
  std::vector<std::exception_ptr> errors_;  // completion order
  std::exception_ptr base_error_;           // first fatal error
  std::exception_ptr propagate_cancel_;     // the cancellation to re-raise, if any
  std::exception_ptr last_cancel_;          // the latest cancellation the exit saw
  wait_queue exit_waiter_{"taskio::task_group", "TaskGroup"};  // the parent, while exiting
};

/// The posted child-completion handler. Destroyed without running (loop
/// shutdown), it only frees the node.
struct task_group_state::child_done {
  child_node* n;
  explicit child_done(child_node* node) noexcept : n(node) {}
  child_done(child_done&& o) noexcept : n(std::exchange(o.n, nullptr)) {}
  ~child_done() {
    if (n) on_destroy(n);
  }
  void operator()() {
    std::unique_ptr<child_node> node(std::exchange(n, nullptr));
    loop_scope scope(&node->child->get_loop());
    node->group->on_child_done(*node);
  }
};

std::string task_group_state::repr() const {
  std::string info;
  if (!live_.empty()) info += " tasks=" + std::to_string(live_.size());
  if (!errors_.empty()) info += " errors=" + std::to_string(errors_.size());
  if (aborting_)
    info += " cancelling";
  else if (entered_)
    info += " entered";
  return "<TaskGroup" + info + ">";
}

void task_group_state::enter(task_state_base* t) {
  if (entered_) fail("has already been entered");
  if (!t) fail("cannot determine the parent task (it should be used inside a task)");
  parent_ = ref_ptr<task_state_base>(t);
  entered_ = true;
  if (aborting_) cancel();  // cancel() was called before entry
}

// 3.15 TaskGroup.cancel()
void task_group_state::cancel() {
  if (exiting_ && live_.empty()) return;  // finished (or finishing: nothing to cancel)
  if (!aborting_) abort();
  if (parent_ && !parent_cancel_requested_) {
    parent_cancel_requested_ = true;
    parent_->cancel({});
  }
}

const boost::asio::any_io_executor& task_group_state::parent_executor() const {
  if (!entered_) fail("has not been entered");
  if (exiting_ && live_.empty()) fail("is finished");
  if (aborting_) fail("is shutting down");
  return parent_->inner().get();
}

void task_group_state::adopt(task_state_base& child) {
  try {
    auto* n = new child_node;
    n->group = ref_ptr<task_group_state>(this);
    n->child = ref_ptr<task_state_base>(&child);
    n->fire = &on_fire;
    n->destroy = &on_destroy;
    live_.push_back(*n);
    child.add_node(n);
    // gh-155418: an eager child that aborted the group (cancel()) in its
    // first step was not in the list abort() cancelled.
    if (aborting_ && !child.done()) child.cancel({});
  } catch (...) {
    child.cancel({});  // before its first step: no line of it runs
    throw;
  }
}

void task_group_state::on_fire(completion_node* n, future_state_base&) {
  auto* c = static_cast<child_node*>(n);
  c->child->inner().post(child_done(c));
}

void task_group_state::on_destroy(completion_node* n) {
  auto* c = static_cast<child_node*>(n);
  c->group->live_.erase(*c);
  delete c;
}

// doc/semantics.md 5.4 (TaskGroup child completion)
void task_group_state::on_child_done(child_node& n) {
  live_.erase(n);
  if (live_.empty()) exit_waiter_.wake_all();
  task_state_base& child = *n.child;
  if (child.cancelled()) return;
  std::exception_ptr e = child.stored_exception();
  if (!e) return;
  child.mark_retrieved();
  errors_.push_back(e);
  if (!base_error_ && is_fatal(e)) base_error_ = e;
  if (parent_->done()) {
    log(log_level::error, child,
        "Task " + describe(child) + " has errored out but its parent task " + describe(*parent_) +
            " is already completed");
    return;
  }
  if (!aborting_ && !parent_cancel_requested_) {
    abort();
    parent_cancel_requested_ = true;
    parent_->cancel({});  // interrupts the block wherever it waits
  }
}

void task_group_state::abort() {
  aborting_ = true;
  for (child_node* c = live_.front(); c; c = live_.next(*c))
    if (!c->child->done()) c->child->cancel({});
}

// doc/semantics.md 5.5 (TaskGroup exit) steps 1-3
void task_group_state::begin_exit(const std::exception_ptr& e) {
  if (!entered_) fail("has not been entered");
  if (exiting_) fail("has already been exited");
  if (thread_state::current_task() != parent_.get()) fail("must be exited by the task that entered it");
  exiting_ = true;
  if (e && is_fatal(e) && !base_error_) base_error_ = e;
  if (e && is_cancellation(e)) propagate_cancel_ = last_cancel_ = e;
  if (e && !aborting_) abort();
}

// doc/semantics.md 5.5 (TaskGroup exit) step 4: the parent was cancelled while waiting
void task_group_state::exit_wait_interrupted(std::exception_ptr cancelled) {
  if (!is_cancellation(cancelled)) std::rethrow_exception(cancelled);  // not expected: nothing else fails
  last_cancel_ = cancelled;
  if (!aborting_) {
    propagate_cancel_ = std::move(cancelled);
    abort();
  }
}

// doc/semantics.md 5.5 (TaskGroup exit) steps 5-10; true: suppress `e` (the group's own
// cancellation after cancel(), 3.15)
bool task_group_state::finish_exit(const std::exception_ptr& e) {
  // Like asyncio, keep no reference to the parent and the errors.
  ref_ptr<task_state_base> parent = std::move(parent_);
  std::vector<std::exception_ptr> errors = std::move(errors_);
  errors_.clear();
  std::exception_ptr propagate = std::exchange(propagate_cancel_, nullptr);
  std::exception_ptr last_cancel = std::exchange(last_cancel_, nullptr);

  if (base_error_) {
    // taskio also takes its own request back here (CPython 3.13 leaves it
    // counted), and reports what it drops (as CPython's main branch does).
    if (parent_cancel_requested_) parent->uncancel();
    log_dropped(errors, e);
    std::rethrow_exception(std::exchange(base_error_, nullptr));
  }
  if (parent_cancel_requested_) {
    if (parent->uncancel() == 0) {
      propagate = nullptr;  // it was our own
    } else if (!propagate) {
      // gh-155433: after tg.cancel(), an outside request that the exit
      // absorbed while aborting must still leave the group.
      propagate = last_cancel ? last_cancel : std::make_exception_ptr(cancelled_error());
    }
  }
  if (propagate && errors.empty()) std::rethrow_exception(propagate);
  if (e && !is_cancellation(e)) errors.push_back(e);  // the block's error goes last
  // Here `e` can only be the group's own cancellation (tg.cancel()): absorbed.
  if (errors.empty()) return e != nullptr;
  if (parent->cancelling() > 0) {
    // 3.13+: an outside request was consumed by the group's delivery;
    // re-arm it (taskio keeps its message when the exit saw it).
    std::string msg;
    try {
      if (last_cancel) std::rethrow_exception(last_cancel);
    } catch (const cancelled_error& c) {
      msg = c.message();
    } catch (...) {
    }
    parent->rearm(std::move(msg));
  }
  throw exception_group("unhandled errors in a TaskGroup", std::move(errors));
}

void task_group_state::log_dropped(const std::vector<std::exception_ptr>& errors,
                                   const std::exception_ptr& body_error) const {
  if (!log_enabled(log_level::error)) return;
  const std::string prefix =
      "TaskGroup: unhandled error dropped because " + describe_exception(base_error_) + " propagates: ";
  for (const auto& x : errors)
    if (x != base_error_) log(log_level::error, prefix + describe_exception(x));
  if (body_error && body_error != base_error_ && !is_cancellation(body_error))
    log(log_level::error, prefix + describe_exception(body_error));
}

}  // namespace taskio::detail

namespace taskio {

task_group::task_group() : s_(new detail::task_group_state) { s_->add_ref(); }

task_group::~task_group() {
  if (s_) s_->release();
}

task_group::task_group(task_group&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}

task_group& task_group::operator=(task_group&& other) noexcept {
  std::swap(s_, other.s_);
  return *this;
}

detail::task_group_state& task_group::state(const char* who) const {
  if (!s_) throw std::logic_error(std::string(who) + ": use of a moved-from task_group");
  return *s_;
}

std::string task_group::repr() const { return s_ ? s_->repr() : "<TaskGroup moved-from>"; }

void task_group::cancel() { state("taskio::task_group::cancel").cancel(); }

const boost::asio::any_io_executor& task_group::parent_executor(const char* who) const {
  return state(who).parent_executor();
}

void task_group::adopt(detail::task_state_base& child) { s_->adopt(child); }

boost::asio::awaitable<void> task_group::aenter() {
  detail::task_state_base* parent = co_await detail::attached_task();
  state("taskio::task_group::aenter").enter(parent);
  co_return;
}

boost::asio::awaitable<bool> task_group::aexit(std::exception_ptr e) {
  detail::ref_ptr<detail::task_group_state> s(&state("taskio::task_group::aexit"));
  s->begin_exit(e);
  std::optional<detail::slow_wait_watch> slow;  // debug mode: one warning if the wait is long
  if (s->children_left()) slow.emplace("a TaskGroup");
  while (s->children_left()) {
    std::exception_ptr interrupted;
    try {
      co_await s->wait_for_children();
    } catch (...) {
      interrupted = std::current_exception();
    }
    if (interrupted) s->exit_wait_interrupted(std::move(interrupted));
  }
  co_return s->finish_exit(e);
}

}  // namespace taskio
