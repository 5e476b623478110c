//
// lib/task.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The public task handle (task.hpp): task_ref's members, each a call into
// the kernel's task state.

#include <taskio/task.hpp>

#include <boost/asio/post.hpp>

#include <ostream>
#include <stdexcept>

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
taskio::context task_ref::get_context() const {
  return detail::access::make<taskio::context>(state()->context());
}
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

}  // namespace taskio
