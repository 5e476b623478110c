//
// lib/wait.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// wait() (its child-watching core, detail::watcher, is lib/watcher.cpp).

#include <taskio/wait.hpp>

#include <taskio/detail/wait_op.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>
#include <string>

namespace taskio::detail {

wait_state::wait_state(std::span<future_state_base* const> fs, const wait_options& opts)
    : watcher("taskio::wait"), mode_(opts.return_when) {
  if (fs.empty()) throw std::invalid_argument("taskio::wait: Set of Tasks/Futures is empty.");
  if (mode_ != return_when::first_completed && mode_ != return_when::first_exception &&
      mode_ != return_when::all_completed)
    throw std::invalid_argument("taskio::wait: Invalid return_when value: " +
                                std::to_string(static_cast<int>(mode_)));
  const std::optional<clock::duration> timeout = get_delay(opts.timeout, "taskio::wait");
  watch(fs);
  remaining_ = size();
  if (timeout) arm_timeout(*timeout);
}

boost::asio::awaitable<void> wait_state::wait(ref_ptr<wait_state> self) {
  auto [e] = co_await async_wait<void>(self, boost::asio::as_tuple(boost::asio::use_awaitable));
  self->disarm_timeout();
  self->unwatch();
  if (e) std::rethrow_exception(e);
}

void wait_state::on_child_done(std::size_t i) {
  future_state_base& c = child(i);
  --remaining_;
  const bool failed = mode_ == return_when::first_exception && !c.cancelled() && c.stored_exception();
  if (failed) c.mark_retrieved();  // asyncio's check reads (retrieves) it
  if (done()) return;
  if (remaining_ == 0 || mode_ == return_when::first_completed || failed) {
    disarm_timeout();
    succeed();
  }
}

void wait_state::on_timeout() {
  if (!done()) succeed();
}

}  // namespace taskio::detail
